package dev.vellum.example;

import dev.vellum.Accumulator;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.TypedCollection;
import dev.vellum.Update;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The notes and their audit trail, through the auto-configured {@link RecordStore}. */
@Service
public class Notes {
    private final TypedCollection<Note> notes;
    private final Collection audit;

    public Notes(RecordStore store) {
        this.notes = store.collection("notes", Note.class);
        this.audit = store.collection("audit");
    }

    /** The note and its audit entry commit together, or neither does (a blank title rolls both back). */
    @Transactional
    public Note write(String title, String body, List<String> tags) {
        Note note = notes.insert(new Note(null, title, body, tags == null ? List.of() : tags, 0, Instant.now()));
        audit.insert(Map.of("event", "written", "note", note.id()));
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("A note needs a title");
        }
        return note;
    }

    public Optional<Note> get(String id) {
        return notes.get(id);
    }

    /** One more view, counted by the database: concurrent views are never lost. */
    public Note view(String id) {
        return notes.patch(id, Update.fields().inc("views", 1)).value();
    }

    public List<Note> tagged(String tag) {
        return notes.find(Query.where(Filter.contains("tags", tag)).sort("title"))
                .records();
    }

    /** How many notes each title has, and their views: a GROUP BY in the database. */
    public List<Group> byTitle() {
        return notes.aggregate(
                Filter.all(),
                List.of("title"),
                Map.of("notes", Accumulator.count(), "views", Accumulator.sum("views")));
    }

    public long auditEntries() {
        return audit.count();
    }
}
