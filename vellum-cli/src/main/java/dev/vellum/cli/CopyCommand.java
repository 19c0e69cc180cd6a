package dev.vellum.cli;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.ops.Transfer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vellum copy}: every collection from one database to another, verified, resumable. */
@Command(
        name = "copy",
        mixinStandardHelpOptions = true,
        description = "Copy collections (records with ids, versions, timestamps, metadata, and index definitions) "
                + "and the application's tables between databases of any backend, then verify counts and checksums.")
final class CopyCommand implements Callable<Integer> {
    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "URL", description = "Source (default: the configured database)")
    String from;

    @Option(
            names = "--to",
            paramLabel = "URL",
            required = true,
            description = "Target, e.g. postgres://… or sqlite:FILE")
    String to;

    @Option(names = "--collections", paramLabel = "NAMES", split = ",", description = "Only these collections")
    List<String> collections;

    @Option(
            names = "--tables",
            paramLabel = "NAMES",
            split = ",",
            description = "Only these application tables (default: every table your migrations made)")
    List<String> tables;

    @Option(names = "--no-tables", description = "Copy collections only")
    boolean noTables;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Records per committed batch (default 10000)")
    int batchSize;

    @Option(
            names = "--verify",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Compare counts and checksums afterwards (default on; --no-verify to skip)")
    boolean verify;

    @ArgGroup(exclusive = true)
    ModeOption mode;

    static final class ModeOption {
        @Option(names = "--resume", required = true, description = "Continue an interrupted copy")
        boolean resume;

        @Option(names = "--merge", required = true, description = "Copy only ids the target lacks")
        boolean merge;

        @Option(names = "--replace", required = true, description = "Drop the target's collections first")
        boolean replace;

        Transfer.Mode mode() {
            return resume ? Transfer.Mode.RESUME : merge ? Transfer.Mode.MERGE : Transfer.Mode.REPLACE;
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (RecordStore a = Vellum.open(cli.configure(from).build());
                RecordStore b = Vellum.open(cli.configure(to).build());
                Reporter progress = new Reporter(err)) {
            Transfer.Builder transfer = Transfer.from(a)
                    .to(b)
                    .batchSize(batchSize)
                    .verify(verify)
                    .mode(mode == null ? Transfer.Mode.NEW : mode.mode())
                    .progress(progress);
            if (collections != null) {
                transfer.collections(collections);
            }
            if (noTables) {
                transfer.withoutTables();
            } else if (tables != null) {
                transfer.tables(tables);
            }
            Transfer.Report report = transfer.run();
            progress.close();
            List<List<String>> rows = new ArrayList<>();
            report.collections().forEach(c -> rows.add(row(c)));
            report.tables().forEach(t -> {
                List<String> r = new ArrayList<>(row(t));
                r.set(0, "table " + t.collection());
                rows.add(r);
            });
            Table.text(out, List.of("collection", "copied", "skipped", "source", "target", "verified"), rows);
            out.flush();
            if (!report.ok()) {
                err.println("vellum: verification failed for: "
                        + String.join(
                                ", ",
                                rows.stream()
                                        .filter(r -> r.get(5).startsWith("MISMATCH"))
                                        .map(r -> r.get(0))
                                        .toList())
                        + ". Run again with --replace to copy those afresh.");
                return VellumCli.FAILED;
            }
            return 0;
        }
    }

    private static List<String> row(Transfer.CollectionReport c) {
        return List.of(
                c.collection(),
                String.valueOf(c.copied()),
                String.valueOf(c.skipped()),
                String.valueOf(c.sourceCount()),
                String.valueOf(c.targetCount()),
                c.verified() == null
                        ? (c.detail().startsWith("skipped") ? c.detail() : "not verified")
                        : c.verified() ? "ok" : "MISMATCH: " + c.detail());
    }

    /** A progress bar per collection on a terminal; otherwise a plain line every few seconds and at the end. */
    private static final class Reporter implements Transfer.Progress, AutoCloseable {
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private String current;
        private ProgressBar bar;
        private long lastLine;

        Reporter(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void update(String collection, long done, long total) {
            if (!collection.equals(current)) {
                close();
                current = collection;
                if (terminal) {
                    bar = new ProgressBarBuilder()
                            .setTaskName(collection)
                            .setInitialMax(total)
                            .setStyle(ProgressBarStyle.ASCII)
                            .setUnit(" records", 1)
                            .showSpeed()
                            .build();
                }
            }
            if (bar != null) {
                bar.stepTo(done);
            } else if (System.nanoTime() - lastLine > 2_000_000_000L || done == total) {
                lastLine = System.nanoTime();
                err.printf("copy %s: %,d of %,d records%n", collection, done, total);
                err.flush();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
