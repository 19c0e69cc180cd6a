package dev.vellum.cli;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordNotFoundException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Record commands for scripts: put, find, count, get, delete. */
final class RecordCommands {
    private RecordCommands() {}

    /** Shared by the record commands: the parent command and the collection argument. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        VellumCli cli;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "COLLECTION", description = "The collection name")
        String collection;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() {
            try (RecordStore store = Vellum.open(cli.configure().build())) {
                return run(store.collection(collection));
            }
        }

        abstract Integer run(Collection c);
    }

    @Command(
            name = "put",
            mixinStandardHelpOptions = true,
            description = "Insert NDJSON records from standard input, all or nothing: one {\"id\"?, \"fields\", "
                    + "\"metadata\"?} per line. Prints the count.")
    static final class Put extends Base {
        @Option(names = "--upsert", description = "Replace records whose id exists instead of failing")
        boolean upsert;

        @Override
        Integer run(Collection c) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8));
            Iterable<NewRecord> records = () -> NewRecord.readNdjson(reader);
            long count = upsert ? c.upsertMany(records) : c.insertMany(records);
            out().println(count);
            return 0;
        }
    }

    @Command(
            name = "find",
            mixinStandardHelpOptions = true,
            description = "Print matching records as NDJSON; the next page's cursor, if any, goes to standard error.")
    static final class Find extends Base {
        @Option(names = "--filter", paramLabel = "JSON", description = "e.g. '{\"age\":{\"$gte\":30}}'")
        String filter;

        @Option(names = "--sort", paramLabel = "KEYS", split = ",", description = "e.g. -age,name")
        String[] sort = new String[0];

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "100",
                description = "Page size (default 100, " + "max 10000)")
        int limit;

        @Option(names = "--cursor", paramLabel = "C", description = "Continue after the page that printed it")
        String cursor;

        @Option(names = "--fields", paramLabel = "PATHS", split = ",", description = "Only these fields, e.g. name,age")
        String[] fields = new String[0];

        @Override
        Integer run(Collection c) {
            Query query = Query.where(filter == null ? Filter.all() : Filter.parse(filter))
                    .sort(sort)
                    .limit(limit)
                    .fields(fields);
            if (cursor != null) {
                query = query.cursor(cursor);
            }
            Page page = c.find(query);
            for (Record r : page.records()) {
                out().println(VellumJson.write(r.toJson()));
            }
            out().flush();
            if (page.nextCursor() != null) {
                spec.commandLine().getErr().println("next cursor: " + page.nextCursor());
                spec.commandLine().getErr().flush();
            }
            return 0;
        }
    }

    @Command(name = "count", mixinStandardHelpOptions = true, description = "Print how many records match.")
    static final class Count extends Base {
        @Option(names = "--filter", paramLabel = "JSON", description = "e.g. '{\"city\":\"NY\"}'")
        String filter;

        @Override
        Integer run(Collection c) {
            out().println(c.count(filter == null ? Filter.all() : Filter.parse(filter)));
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print one record as JSON.")
    static final class Get extends Base {
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        Integer run(Collection c) {
            Record r = c.get(id).orElseThrow(() -> new RecordNotFoundException(c.name(), id));
            out().println(VellumJson.write(r.toJson()));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one record.")
    static final class Delete extends Base {
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        Integer run(Collection c) {
            if (!c.delete(id)) {
                throw new RecordNotFoundException(c.name(), id);
            }
            out().println("Deleted " + id + " from " + c.name());
            return 0;
        }
    }
}
