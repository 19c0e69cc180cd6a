package dev.vellum.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.IndexInfo;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.TransferException;
import dev.vellum.VellumJson;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Copies collections from one record store to another — any backend to any backend — exactly (ids, versions,
 * timestamps, metadata, index definitions), in constant memory, and verifies the result.
 *
 * <pre>{@code
 * Transfer.Report report = Transfer.from(sqlite).to(postgres)
 *         .transform(Transfer.renameField("mail", "email"))
 *         .run();
 * }</pre>
 *
 * Records go in id order, in batches that each commit on their own, so an interrupted copy leaves the target holding
 * a prefix of every collection; {@link Mode#RESUME} continues after the last id there.
 */
public final class Transfer {
    /** What to do when a target collection already holds records. */
    public enum Mode {
        /** Refuse, before anything is written (the default). */
        NEW,
        /** Continue an interrupted copy: copy the records whose ids sort after the target's last id. */
        RESUME,
        /** Copy only the records whose ids the target does not have. */
        MERGE,
        /** Drop the target collection first. */
        REPLACE
    }

    /** Changes a record on its way (or drops it, by returning null). */
    @FunctionalInterface
    public interface RecordTransform {
        Record apply(String collection, Record record);
    }

    /** Told about progress after every batch; {@code total} is the source's count when the collection began. */
    @FunctionalInterface
    public interface Progress {
        void update(String collection, long done, long total);
    }

    /** One collection's outcome. {@code verified} is null when verification was off. */
    public record CollectionReport(
            String collection,
            long copied,
            long skipped,
            long sourceCount,
            long targetCount,
            Boolean verified,
            String detail) {}

    /** Collections, then the application's tables (same fields; {@code skipped} counts rows left alone). */
    public record Report(List<CollectionReport> collections, List<CollectionReport> tables) {
        /** True when every verified collection and table matched. */
        public boolean ok() {
            return Stream.concat(collections.stream(), tables.stream())
                    .allMatch(c -> c.verified() == null || c.verified());
        }
    }

    private final Builder settings;

    private Transfer(Builder settings) {
        this.settings = settings;
    }

    public static Builder from(RecordStore source) {
        return new Builder(source);
    }

    /** Adds (or overwrites) a top-level field with a fixed value. */
    public static RecordTransform addField(String name, Object value) {
        return (collection, r) -> withFields(r, f -> f.set(name, VellumJson.toTree(value)));
    }

    public static RecordTransform removeField(String name) {
        return (collection, r) -> withFields(r, f -> f.remove(name));
    }

    /** Renames a top-level field; records without it pass unchanged. */
    public static RecordTransform renameField(String from, String to) {
        return (collection, r) -> !r.fields().has(from) ? r : withFields(r, f -> f.set(to, f.remove(from)));
    }

    private static Record withFields(Record r, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode fields = r.fields().deepCopy();
        change.accept(fields);
        return new Record(r.id(), fields, r.metadata(), r.version(), r.createdAt(), r.updatedAt());
    }

    /** Settings, then {@link #run()}. */
    public static final class Builder {
        private final RecordStore source;
        private RecordStore target;
        private List<String> collections;
        private List<String> tables;
        private boolean copyTables = true;
        private Mode mode = Mode.NEW;
        private int batchSize = 10_000;
        private boolean verify = true;
        private final List<RecordTransform> transforms = new ArrayList<>();
        private Progress progress = (c, done, total) -> {};

        private Builder(RecordStore source) {
            this.source = source;
        }

        public Builder to(RecordStore targetStore) {
            this.target = targetStore;
            return this;
        }

        /** Only these collections (default: every collection of the source). */
        public Builder collections(List<String> names) {
            this.collections = List.copyOf(names);
            return this;
        }

        /**
         * Only these application tables (default: every table of the source that is not Vellum's own). Their
         * schema on the target comes from its own migrations ({@code VELLUM_MIGRATIONS}).
         */
        public Builder tables(List<String> names) {
            this.tables = List.copyOf(names);
            return this;
        }

        /** Copy collections only. */
        public Builder withoutTables() {
            this.copyTables = false;
            return this;
        }

        public Builder mode(Mode newMode) {
            this.mode = newMode;
            return this;
        }

        /** Records per committed batch (default 10,000). */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /** Compare counts and content checksums afterwards (default on). */
        public Builder verify(boolean on) {
            this.verify = on;
            return this;
        }

        /** Applied in the order added. */
        public Builder transform(RecordTransform transform) {
            transforms.add(transform);
            return this;
        }

        public Builder progress(Progress listener) {
            this.progress = listener;
            return this;
        }

        public Report run() {
            if (target == null) {
                throw new IllegalStateException("Transfer.from(source).to(target) is required");
            }
            return new Transfer(this).execute();
        }
    }

    private Report execute() {
        Builder s = settings;
        // copying a database onto itself would read what it is overwriting (and Mode.REPLACE would drop it first)
        if (s.source == s.target
                || s.source.database().isPresent()
                        && s.target.database().isPresent()
                        && s.source.backendName().equals(s.target.backendName())
                        && s.source
                                .database()
                                .get()
                                .describeTarget()
                                .equals(s.target.database().get().describeTarget())) {
            throw new TransferException("The source and the target are the same database ("
                    + s.source.database().map(Database::describeTarget).orElse("one memory store")
                    + "); copy to another one");
        }
        List<String> names = s.collections == null ? s.source.collections() : s.collections;
        Set<String> existing = new HashSet<>(s.source.collections());
        for (String name : names) {
            if (!existing.contains(name)) {
                throw new TransferException("The source has no collection '" + name + "'; it has "
                        + (existing.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(existing))));
            }
        }
        if (s.mode == Mode.NEW) {
            // every refusal before any write, so a refused copy changes nothing
            for (String name : names) {
                long n = s.target.collection(name).count();
                if (n > 0) {
                    throw new TransferException("The target's collection '" + name + "' already holds " + n
                            + " records. Choose Mode.RESUME (continue an interrupted copy), Mode.MERGE (copy only missing "
                            + "ids) or Mode.REPLACE (drop it first).");
                }
            }
        }
        TableCopy tableCopy = tableCopy();
        List<String> tableNames = new ArrayList<>();
        List<CollectionReport> tableReports = new ArrayList<>();
        if (tableCopy != null) {
            for (String table : tableCopy.applicationTables(s.tables)) {
                if (tableCopy.targetHas(table)) {
                    tableNames.add(table);
                } else if (s.tables != null) {
                    throw new TransferException("The target has no table '" + table + "'. Its schema comes from your "
                            + "migrations: set VELLUM_MIGRATIONS (with a folder for the target's dialect) so they "
                            + "create it");
                } else {
                    // a table the application's migrations did not make (say, from 'vellum sql'): said, not copied
                    long rows = tableCopy.count(s.source.database().orElseThrow(), table);
                    tableReports.add(new CollectionReport(
                            table,
                            0,
                            rows,
                            rows,
                            0,
                            null,
                            "skipped: no such table on the target; add it to a migration"));
                }
            }
        }
        if (s.mode == Mode.NEW) {
            for (String table : tableNames) {
                long n = tableCopy.count(targetDatabase(), table);
                if (n > 0) {
                    throw new TransferException(
                            "The target's table '" + table + "' already holds " + n + " rows. "
                                    + "Choose Mode.RESUME, Mode.MERGE (keep rows whose keys exist) or Mode.REPLACE (empty it first).");
                }
            }
        }
        if (s.mode == Mode.REPLACE && tableCopy != null) {
            tableCopy.clear(tableNames);
        }
        for (String table : tableNames) {
            tableReports.add(copyTable(tableCopy, table));
        }
        List<CollectionReport> reports = new ArrayList<>();
        for (String name : names) {
            reports.add(copy(name));
        }
        return new Report(reports, tableReports);
    }

    /** Tables are copied between SQL databases; the memory backend has none. */
    private TableCopy tableCopy() {
        Builder s = settings;
        boolean bothSql = s.source.database().isPresent() && s.target.database().isPresent();
        if (!s.copyTables || !bothSql) {
            if (s.tables != null && !s.tables.isEmpty() && s.copyTables) {
                throw new TransferException("Tables can only be copied between SQL databases (SQLite, PostgreSQL)");
            }
            return null;
        }
        return new TableCopy(s.source.database().orElseThrow(), targetDatabase());
    }

    private Database targetDatabase() {
        return settings.target.database().orElseThrow();
    }

    private CollectionReport copyTable(TableCopy tables, String table) {
        Builder s = settings;
        Database source = s.source.database().orElseThrow();
        long total = tables.count(source, table);
        long present = tables.count(targetDatabase(), table);
        s.progress.update("table " + table, 0, total);
        long copied = 0;
        if (!(s.mode == Mode.RESUME && present == total && present > 0)) {
            // each table is one transaction, so after a crash it is either all there or empty
            copied = tables.copy(table, s.mode == Mode.MERGE || s.mode == Mode.RESUME && present > 0);
        }
        s.progress.update("table " + table, total, total);
        long skipped = total - copied;
        if (!s.verify) {
            return new CollectionReport(
                    table, copied, skipped, total, tables.count(targetDatabase(), table), null, "not verified");
        }
        long[] expected = tables.digest(source, table);
        long[] actual = tables.digest(targetDatabase(), table);
        boolean same = expected[0] == actual[0] && expected[1] == actual[1];
        return new CollectionReport(
                table,
                copied,
                skipped,
                total,
                actual[0],
                same,
                same
                        ? "counts and checksums match"
                        : "source " + expected[0] + " rows (checksum " + Long.toHexString(expected[1]) + "), target "
                                + actual[0] + " (checksum " + Long.toHexString(actual[1]) + ")");
    }

    private CollectionReport copy(String name) {
        Builder s = settings;
        Collection from = s.source.collection(name);
        if (s.mode == Mode.REPLACE) {
            s.target.dropCollection(name);
        }
        Collection to = s.target.collection(name);
        to.load(List.of()); // an empty collection is copied too: it exists on the target afterwards
        Filter remaining = Filter.all();
        if (s.mode == Mode.RESUME) {
            List<Record> last = to.find(Query.all().sort("-$id").limit(1)).records();
            if (!last.isEmpty()) {
                remaining = Filter.gt("$id", last.get(0).id());
            }
        }
        long total = from.count();
        long copied = 0;
        long skipped = 0;
        long done = total - from.count(remaining);
        s.progress.update(name, done, total);
        try (Stream<Record> records = from.stream(Query.where(remaining).sort("$id"))) {
            Iterator<Record> it = records.iterator();
            List<Record> batch = new ArrayList<>(Math.min(s.batchSize, 100_000));
            while (it.hasNext()) {
                batch.clear();
                int read = 0;
                while (it.hasNext() && batch.size() < s.batchSize) {
                    Record r = transformed(name, it.next());
                    read++;
                    if (r != null) {
                        batch.add(r);
                    }
                }
                if (s.mode == Mode.MERGE) {
                    skipped += withoutExisting(to, batch);
                }
                copied += to.load(batch);
                done += read;
                s.progress.update(name, done, total);
            }
        }
        copyIndexesAndFeed(from, to);
        if (!s.verify) {
            return new CollectionReport(name, copied, skipped, total, to.count(), null, "not verified");
        }
        Digest expected = digest(name, from, true);
        Digest actual = digest(name, to, false);
        boolean same = expected.equals(actual);
        String detail = same
                ? "counts and checksums match"
                : "source " + expected.count + " records (checksum " + Long.toHexString(expected.sum) + "), target "
                        + actual.count + " (checksum " + Long.toHexString(actual.sum) + ")";
        return new CollectionReport(name, copied, skipped, total, actual.count, same, detail);
    }

    private Record transformed(String collection, Record r) {
        Record out = r;
        for (RecordTransform t : settings.transforms) {
            if (out == null) {
                return null;
            }
            out = t.apply(collection, out);
        }
        return out;
    }

    /** After the records, so the target's feed starts with the copy done rather than with one change per record. */
    private static void copyIndexesAndFeed(Collection from, Collection to) {
        Set<String> have = new HashSet<>();
        to.indexes().forEach(i -> have.add(i.name()));
        for (IndexInfo index : from.indexes()) {
            if (!have.contains(index.name())) {
                to.createIndex(index.name(), index.paths(), index.unique());
            }
        }
        if (from.hasDocumentIndex() && !to.hasDocumentIndex()) {
            to.createDocumentIndex();
        }
        if (from.changesEnabled()) {
            to.enableChanges();
        }
    }

    /** Count and an order-independent checksum: the sum of a 64-bit hash of each record's canonical form. */
    private record Digest(long count, long sum) {}

    private Digest digest(String name, Collection c, boolean applyTransforms) {
        long count = 0;
        long sum = 0;
        try (Stream<Record> records = c.stream(Query.all())) {
            for (Iterator<Record> it = records.iterator(); it.hasNext(); ) {
                Record r = applyTransforms ? transformed(name, it.next()) : it.next();
                if (r != null) {
                    count++;
                    sum += hash(r);
                }
            }
        }
        return new Digest(count, sum);
    }

    /** A 64-bit hash of the record's canonical JSON (keys sorted, numbers normalised): equal on every backend. */
    public static long hash(Record r) {
        return hash(VellumJson.canonical(r.toJson()));
    }

    /** The first 64 bits of the text's SHA-256: summed over rows, an order-independent checksum. */
    static long hash(String text) {
        byte[] d = Checksums.sha256().digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    /** Removes from the batch the records whose ids the collection has (one lookup); returns how many. */
    static int withoutExisting(Collection c, List<Record> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        Set<String> present = new HashSet<>();
        c.getMany(batch.stream().map(Record::id).toList()).forEach(r -> present.add(r.id()));
        int before = batch.size();
        batch.removeIf(r -> present.contains(r.id()));
        return before - batch.size();
    }
}
