package dev.vellum.cli;

import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.Changes;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vellum changes}: enable or disable a collection's change feed, or print its changes as NDJSON. */
@Command(
        name = "changes",
        mixinStandardHelpOptions = true,
        description = "Print a change feed as NDJSON (one change per line; the token to continue from goes to "
                + "standard error), or turn a collection's feed on or off.")
final class ChangesCommand implements Callable<Integer> {
    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "COLLECTION",
            description = "The collection; without it, every collection whose feed is on")
    String collection;

    @Option(names = "--enable", description = "Turn the collection's change feed on")
    boolean enable;

    @Option(names = "--disable", description = "Turn the collection's change feed off")
    boolean disable;

    @Option(
            names = "--after",
            paramLabel = "TOKEN",
            description = "Changes after this token; 0 = the oldest kept (default: from now)")
    String after;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "100",
            description = "Most changes per page (default 100)")
    int limit;

    @Option(names = "--filter", paramLabel = "JSON", description = "Only changes whose record matches (deletes always)")
    String filter;

    @Option(names = "--follow", description = "Keep printing changes as they commit, until interrupted (Ctrl-C)")
    boolean follow;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RecordStore store = Vellum.open(cli.configure().build())) {
            if (enable || disable) {
                if (collection == null || enable == disable) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--enable and --disable take a collection, and one of them at a time");
                }
                Collection c = store.collection(collection);
                boolean changed = enable ? c.enableChanges() : c.disableChanges();
                out.println((enable ? "Enabled" : "Disabled") + " the change feed of " + collection
                        + (changed ? "" : " (it was " + (enable ? "on" : "off") + " already)"));
                return 0;
            }
            Changes feed = collection == null
                    ? store.changes()
                    : store.collection(collection).changes();
            if (filter != null) {
                feed = feed.filter(Filter.parse(filter));
            }
            String token = after;
            do {
                ChangePage page = feed.poll(token, limit, follow ? Duration.ofSeconds(10) : Duration.ZERO);
                for (Change change : page.changes()) {
                    out.println(VellumJson.write(change.toJson()));
                }
                out.flush();
                token = page.next();
                if (!follow || Thread.currentThread().isInterrupted()) {
                    break;
                }
            } while (true);
            spec.commandLine().getErr().println("next token: " + token);
            spec.commandLine().getErr().flush();
            return 0;
        }
    }
}
