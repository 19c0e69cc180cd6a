package dev.vellum.cli;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.ops.Backup;
import dev.vellum.ops.Transfer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vellum backup} and {@code vellum restore}: portable archives of every collection. */
final class BackupCommands {
    private BackupCommands() {}

    @Command(
            name = "backup",
            mixinStandardHelpOptions = true,
            description = "Write every collection, from one consistent snapshot, to a portable gzip'd NDJSON archive.")
    static final class BackupCommand implements Callable<Integer> {
        @ParentCommand
        VellumCli cli;

        @Spec
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "The archive to write")
        Path out;

        @Override
        public Integer call() {
            try (RecordStore store = Vellum.open(cli.configure().build())) {
                Backup.Summary summary = Backup.create(store, out);
                print(spec.commandLine().getOut(), "Wrote " + out, summary);
                return 0;
            }
        }
    }

    @Command(
            name = "restore",
            mixinStandardHelpOptions = true,
            description = "Check an archive, then restore it (all or nothing) into any backend, with its indexes.")
    static final class RestoreCommand implements Callable<Integer> {
        @ParentCommand
        VellumCli cli;

        @Spec
        CommandSpec spec;

        @Option(names = "--in", paramLabel = "FILE", required = true, description = "The archive to read")
        Path in;

        @Option(names = "--to", paramLabel = "URL", description = "Target (default: the configured database)")
        String to;

        @Option(names = "--check", description = "Only check the archive; write nothing")
        boolean checkOnly;

        @ArgGroup(exclusive = true)
        Mode mode;

        static final class Mode {
            @Option(names = "--merge", required = true, description = "Skip records whose ids exist")
            boolean merge;

            @Option(names = "--replace", required = true, description = "Drop the archive's collections first")
            boolean replace;
        }

        @Override
        public Integer call() {
            if (checkOnly) {
                print(spec.commandLine().getOut(), "Archive " + in + " is intact", Backup.check(in));
                return 0;
            }
            Transfer.Mode how =
                    mode == null ? Transfer.Mode.NEW : mode.merge ? Transfer.Mode.MERGE : Transfer.Mode.REPLACE;
            Backup.check(in); // before the target is even opened: a damaged archive leaves it untouched
            try (RecordStore store = Vellum.open(cli.configure(to).build())) {
                print(spec.commandLine().getOut(), "Restored " + in, Backup.restore(in, store, how));
                return 0;
            }
        }
    }

    private static void print(PrintWriter out, String what, Backup.Summary summary) {
        long total =
                summary.counts().values().stream().mapToLong(Long::longValue).sum();
        int collections = summary.counts().size();
        out.printf(
                "%s: %,d record%s in %d collection%s (from %s, created %s, Vellum %s)%n",
                what,
                total,
                total == 1 ? "" : "s",
                collections,
                collections == 1 ? "" : "s",
                summary.backend(),
                summary.createdAt(),
                summary.vellumVersion());
        for (Map.Entry<String, Long> e : summary.counts().entrySet()) {
            out.printf("  %-24s %,d%n", e.getKey(), e.getValue());
        }
        out.flush();
    }
}
