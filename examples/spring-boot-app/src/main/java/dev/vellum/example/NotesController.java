package dev.vellum.example;

import dev.vellum.Group;
import dev.vellum.RecordNotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@RestController
@RequestMapping("/notes")
public class NotesController {
    private final Notes notes;

    public NotesController(Notes notes) {
        this.notes = notes;
    }

    /** What a client sends to write a note. */
    public record NewNote(String title, String body, List<String> tags) {
    }

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

    @GetMapping("/by-title")
    public List<Map<String, Object>> byTitle() {
        return notes.byTitle().stream().map(NotesController::json).toList();
    }

    private static Map<String, Object> json(Group g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("title", g.key("title") == null ? null : g.key("title").asText());
        out.put("notes", g.get("notes").asLong());
        out.put("views", g.get("views").asLong());
        return out;
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(RecordNotFoundException.class)
    public ResponseEntity<Map<String, String>> notFound(RecordNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
    }
}
