package dev.vellum.example;

import dev.vellum.Group;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/notes")
public class NotesController {
    private final Notes notes;

    public NotesController(Notes notes) {
        this.notes = notes;
    }

    /** What a client sends to write a note. */
    public record NewNote(String title, String body, List<String> tags) {}

    @PostMapping
    public ResponseEntity<Note> write(@RequestBody NewNote note) {
        return ResponseEntity.status(HttpStatus.CREATED).body(notes.write(note.title(), note.body(), note.tags()));
    }

    @GetMapping("/{id}")
    public ResponseEntity<Note> get(@PathVariable("id") String id) {
        return ResponseEntity.of(notes.get(id));
    }

    @PostMapping("/{id}/views")
    public Note view(@PathVariable("id") String id) {
        return notes.view(id);
    }

    @GetMapping
    public List<Note> tagged(@RequestParam("tag") String tag) {
        return notes.tagged(tag);
    }

    /**
     * Vellum's own {@link Group}s, returned as they are: Spring writes each as
     * {"key":{…},"notes":…,"views":…}.
     */
    @GetMapping("/by-title")
    public List<Group> byTitle() {
        return notes.byTitle();
    }
}
