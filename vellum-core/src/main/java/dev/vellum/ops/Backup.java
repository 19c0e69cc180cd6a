package dev.vellum.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.InvalidRecordException;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.StorageException;
import dev.vellum.TransferException;
import dev.vellum.VellumJson;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Portable, backend-independent backups: a gzip'd NDJSON archive written from one consistent snapshot, restorable
 * into any backend.
 *
 * <p>Layout, one JSON object per line: a header ({@code format}, Vellum version, source backend, schema version,
 * created-at); per collection a {@code {"collection", "indexes", "documentIndex"}} line, its records in the wire form,
 * and an {@code {"end", "count", "checksum"}} line; last a trailer with every collection's count and checksum, the
 * number of lines and the SHA-256 of all lines before it. {@link #check} reads it all before {@link #restore} writes
 * anything, so a truncated or altered archive is refused with the line where it is damaged.
 */
public final class Backup {
    static final String FORMAT = "vellum-backup";
    static final int FORMAT_VERSION = 1;

    private Backup() {}

    /** What an archive holds, per collection: its record count and checksum. */
    public record Summary(
            String backend, String vellumVersion, String schemaVersion, String createdAt, Map<String, Long> counts) {}

    /** Writes every collection of the store (one snapshot) to {@code file}; returns what was written. */
    public static Summary create(RecordStore store, Path file) {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Summary summary;
            try (OutputStream out = Files.newOutputStream(partial)) {
                summary = write(store, out);
            }
            // a backup appears under its name only when complete
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return summary;
        } catch (IOException e) {
            throw new StorageException("Cannot write the backup " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Writes the archive to a stream (gzip'd); the caller closes it. */
    public static Summary write(RecordStore store, OutputStream target) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(target, 1 << 16);
        Writer writer = new BufferedWriter(new OutputStreamWriter(gzip, StandardCharsets.UTF_8), 1 << 16);
        Lines lines = new Lines(writer);
        // read before the snapshot: the migration tool uses connections of its own
        String schema = store.database().map(db -> db.health().schemaVersion()).orElse("none");
        Summary summary = store.inSnapshot(s -> {
            ObjectNode header = object().put("format", FORMAT)
                    .put("formatVersion", FORMAT_VERSION)
                    .put("vellumVersion", version())
                    .put("backend", s.backendName())
                    .put("schemaVersion", schema)
                    .put("createdAt", VellumJson.formatInstant(java.time.Instant.now()));
            lines.write(header);
            Map<String, Long> counts = new LinkedHashMap<>();
            ObjectNode totals = object();
            for (String name : s.collections()) {
                Collection c = s.collection(name);
                ObjectNode start = object().put("collection", name);
                start.set("indexes", VellumJson.toTree(c.indexes()));
                start.put("documentIndex", c.hasDocumentIndex());
                start.put("changes", c.changesEnabled());
                lines.write(start);
                long count = 0;
                long sum = 0;
                try (Stream<Record> records = c.stream(Query.all())) {
                    for (Iterator<Record> it = records.iterator(); it.hasNext(); ) {
                        Record r = it.next();
                        lines.write(r.toJson());
                        count++;
                        sum += Transfer.hash(r);
                    }
                }
                lines.write(object().put("end", name).put("count", count).put("checksum", hex(sum)));
                counts.put(name, count);
                totals.putObject(name).put("count", count).put("checksum", hex(sum));
            }
            ObjectNode trailer = object();
            trailer.putObject("trailer")
                    .setAll(object().<ObjectNode>set("collections", totals)
                            .put("lines", lines.count + 1)
                            .put("sha256", lines.digestHex()));
            lines.write(trailer);
            return new Summary(
                    s.backendName(), version(), schema, header.get("createdAt").textValue(), counts);
        });
        writer.flush();
        gzip.finish();
        return summary;
    }

    /**
     * Reads the whole archive and checks its structure, every collection's count and checksum, and the trailer.
     *
     * @throws TransferException naming the line (and collection) where the archive is damaged
     */
    public static Summary check(Path file) {
        return read(file, null);
    }

    /**
     * Checks the archive, then restores it into the store, all or nothing, recreating indexes. A collection that
     * already holds records is refused unless the mode is {@link Transfer.Mode#MERGE} (skip existing ids) or
     * {@link Transfer.Mode#REPLACE} (drop it first).
     */
    public static Summary restore(Path file, RecordStore store, Transfer.Mode mode) {
        if (mode == Transfer.Mode.RESUME) {
            throw new IllegalArgumentException("restore takes NEW, MERGE or REPLACE");
        }
        Summary summary = check(file);
        if (mode == Transfer.Mode.NEW) {
            for (String name : summary.counts().keySet()) {
                long n = store.collection(name).count();
                if (n > 0) {
                    throw new TransferException(
                            "The target's collection '" + name + "' already holds " + n
                                    + " records. Restore with Mode.MERGE (skip ids that exist) or Mode.REPLACE (drop it first).");
                }
            }
        }
        store.useTransaction(s -> read(file, new Restorer(s, mode)));
        return summary;
    }

    /** Receives a checked archive's parts in order (restore writes them; check passes null). */
    private static final class Restorer {
        private final RecordStore store;
        private final Transfer.Mode mode;

        Restorer(RecordStore store, Transfer.Mode mode) {
            this.store = store;
            this.mode = mode;
        }

        void collection(String name, JsonNode start, Iterator<Record> records) {
            if (mode == Transfer.Mode.REPLACE) {
                store.dropCollection(name);
            }
            Collection c = store.collection(name);
            c.load(List.of()); // an empty collection is restored too
            // batches, each loaded before the next is looked up: a connection in COPY cannot run another query
            List<Record> batch = new ArrayList<>();
            while (records.hasNext()) {
                batch.clear();
                while (records.hasNext() && batch.size() < 10_000) {
                    batch.add(records.next());
                }
                if (mode == Transfer.Mode.MERGE) {
                    Transfer.withoutExisting(c, batch);
                }
                c.load(batch);
            }
            for (JsonNode index : start.path("indexes")) {
                List<String> paths = new ArrayList<>();
                index.path("paths").forEach(p -> paths.add(p.asText()));
                String indexName = index.path("name").asText();
                if (c.indexes().stream().noneMatch(i -> i.name().equals(indexName))) {
                    c.createIndex(indexName, paths, index.path("unique").asBoolean());
                }
            }
            if (start.path("documentIndex").asBoolean() && !c.hasDocumentIndex()) {
                c.createDocumentIndex();
            }
            if (start.path("changes").asBoolean()) {
                c.enableChanges(); // after the records: the restored feed starts from the restore
            }
        }
    }

    // ---- reading ----

    private static Summary read(Path file, Restorer restorer) {
        try (Reader in = new Reader(file)) {
            JsonNode header = in.next("the header");
            if (!FORMAT.equals(header.path("format").asText())
                    || header.path("formatVersion").asInt() != FORMAT_VERSION) {
                throw in.damaged("this is not a Vellum backup (format " + FORMAT + " version " + FORMAT_VERSION + ")");
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            Map<String, String> checksums = new LinkedHashMap<>();
            while (true) {
                JsonNode line = in.next("a collection or the trailer");
                if (line.has("trailer")) {
                    JsonNode trailer = line.get("trailer");
                    String digest = HexFormat.of().formatHex(in.beforeLast.digest());
                    if (trailer.path("lines").asLong() != in.lineNumber
                            || !digest.equals(trailer.path("sha256").asText())) {
                        throw in.damaged("the trailer does not match the lines before it (line count or SHA-256)");
                    }
                    JsonNode totals = trailer.path("collections");
                    if (totals.size() != counts.size()) {
                        throw in.damaged("the trailer lists " + totals.size() + " collections, the archive has "
                                + counts.size());
                    }
                    for (Map.Entry<String, Long> e : counts.entrySet()) {
                        JsonNode t = totals.path(e.getKey());
                        if (t.path("count").asLong(-1) != e.getValue()
                                || !t.path("checksum").asText().equals(checksums.get(e.getKey()))) {
                            throw in.damaged("the trailer's count or checksum for '" + e.getKey() + "' does not match");
                        }
                    }
                    if (in.hasMore()) {
                        throw in.damaged("there are lines after the trailer");
                    }
                    return new Summary(
                            header.path("backend").asText(),
                            header.path("vellumVersion").asText(),
                            header.path("schemaVersion").asText(),
                            header.path("createdAt").asText(),
                            counts);
                }
                String name = line.path("collection").asText(null);
                if (name == null) {
                    throw in.damaged("expected a collection header or the trailer");
                }
                in.collection = name;
                long[] count = {0};
                long[] sum = {0};
                JsonNode[] end = {null};
                Iterator<Record> records = new Iterator<>() {
                    private JsonNode pending;

                    @Override
                    public boolean hasNext() {
                        if (end[0] != null) {
                            return false;
                        }
                        if (pending == null) {
                            JsonNode next = in.next("a record or the end of '" + name + "'");
                            if (next.has("end")) {
                                end[0] = next;
                                return false;
                            }
                            pending = next;
                        }
                        return true;
                    }

                    @Override
                    public Record next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        Record r;
                        try {
                            r = Record.fromJson(pending, "line " + in.lineNumber);
                        } catch (InvalidRecordException e) {
                            throw in.damaged(e.getMessage());
                        }
                        pending = null;
                        count[0]++;
                        sum[0] += Transfer.hash(r);
                        return r;
                    }
                };
                if (restorer != null) {
                    restorer.collection(name, line, records);
                }
                while (records.hasNext()) {
                    records.next();
                }
                JsonNode e = end[0];
                if (!name.equals(e.path("end").asText())
                        || e.path("count").asLong(-1) != count[0]
                        || !hex(sum[0]).equals(e.path("checksum").asText())) {
                    throw in.damaged("collection '" + name + "' has " + count[0] + " records with checksum "
                            + hex(sum[0]) + ", but its end line says "
                            + e.path("count").asText() + " with checksum "
                            + e.path("checksum").asText() + ": a record was changed, added or lost");
                }
                counts.put(name, count[0]);
                checksums.put(name, hex(sum[0]));
                in.collection = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads lines of the gzip'd archive, keeping the line number, the collection and a running SHA-256. */
    private static final class Reader implements AutoCloseable {
        private final Path file;
        private final BufferedReader reader;
        private final MessageDigest digest = Checksums.sha256();
        private long lineNumber;
        private String collection;
        private MessageDigest beforeLast = Checksums.sha256();
        private String lookahead;

        Reader(Path file) throws IOException {
            this.file = file;
            try {
                this.reader = new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8),
                        1 << 16);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new TransferException("The archive " + file + " does not exist. Nothing was restored.");
            } catch (IOException e) {
                throw new TransferException("The archive " + file + " is not a gzip file or cannot be read ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "). Nothing was restored.");
            }
        }

        JsonNode next(String expected) {
            String line = readLine();
            if (line == null) {
                throw new TransferException("The archive " + file + " is truncated: it ends after line " + lineNumber
                        + where() + ", where " + expected + " should follow. Nothing was restored.");
            }
            beforeLast = (MessageDigest) cloneDigest();
            digest.update(line.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            lineNumber++;
            try {
                JsonNode node = VellumJson.parse(line);
                if (!node.isObject()) {
                    throw damaged("the line is not a JSON object");
                }
                return node;
            } catch (IllegalArgumentException e) {
                throw damaged("the line is not valid JSON");
            }
        }

        boolean hasMore() {
            lookahead = readLine();
            return lookahead != null;
        }

        private String readLine() {
            if (lookahead != null) {
                String line = lookahead;
                lookahead = null;
                return line;
            }
            try {
                return reader.readLine();
            } catch (IOException e) {
                // gzip notices a cut or a flipped bit as a bad block, a bad CRC or an early end
                throw new TransferException("The archive " + file + " is damaged after line " + lineNumber + where()
                        + ": " + e.getMessage() + ". Nothing was restored.");
            }
        }

        private Object cloneDigest() {
            try {
                return digest.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }

        TransferException damaged(String reason) {
            return new TransferException("The archive " + file + " is damaged at line " + lineNumber + where() + ": "
                    + reason + ". Nothing was restored.");
        }

        private String where() {
            return collection == null ? "" : " (in collection '" + collection + "')";
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** Writes lines, counting them and hashing them for the trailer. */
    private static final class Lines {
        private final Writer writer;
        private final MessageDigest digest = Checksums.sha256();
        private long count;

        Lines(Writer writer) {
            this.writer = writer;
        }

        void write(JsonNode node) {
            String line = VellumJson.write(node);
            try {
                writer.write(line);
                writer.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            digest.update(line.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            count++;
        }

        String digestHex() {
            try {
                return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String hex(long value) {
        return String.format("%016x", value);
    }

    private static ObjectNode object() {
        return VellumJson.nodes().objectNode();
    }

    static String version() {
        return dev.vellum.Vellum.version();
    }
}
