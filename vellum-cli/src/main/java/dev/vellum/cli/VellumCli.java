package dev.vellum.cli;

import dev.vellum.VellumConfig;
import dev.vellum.VellumException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code vellum} command. */
@Command(
        name = "vellum",
        mixinStandardHelpOptions = true,
        versionProvider = VellumCli.Version.class,
        description = "One record store and one SQL API over SQLite, PostgreSQL and memory.",
        subcommands = {
            ServeCommand.class,
            CopyCommand.class,
            BackupCommands.BackupCommand.class,
            BackupCommands.RestoreCommand.class,
            OpsCommands.Stats.class,
            OpsCommands.Maintain.class,
            HealthCommand.class,
            SqlCommand.class,
            MigrateCommand.class,
            ConfigCommand.class,
            RecordCommands.Put.class,
            RecordCommands.Find.class,
            RecordCommands.Count.class,
            RecordCommands.Get.class,
            RecordCommands.Delete.class,
            ChangesCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VellumCli {
    /** Exit code for any error Vellum explains (configuration, connection, bad SQL, …). */
    static final int FAILED = 1;

    @Option(
            names = "--url",
            paramLabel = "URL",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Database URL (sqlite:PATH, postgres://…, memory:); overrides VELLUM_DB_BACKEND and the "
                    + "location settings")
    String url;

    @Option(
            names = "--debug",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors (never passwords)")
    boolean debug;

    private final Map<String, String> environment;
    private final Path envFile;
    private final InputStream in;

    VellumCli(Map<String, String> environment, Path envFile, InputStream in) {
        this.environment = environment;
        this.envFile = envFile;
        this.in = in;
    }

    public static void main(String[] args) {
        // the driver's java.util.logging records go where the rest of the logging goes (logback.xml)
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(System.getenv(), null, System.in, out, err, args));
    }

    /** Runs the command line against an environment; what {@link #main} and the tests call. */
    static int run(
            Map<String, String> environment,
            Path envFile,
            InputStream in,
            PrintWriter out,
            PrintWriter err,
            String... args) {
        VellumCli cli = new VellumCli(environment, envFile, in);
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof VellumException) {
                err.println("vellum: " + inCommandTerms(e.getMessage()));
            } else if (e instanceof java.io.UncheckedIOException io) {
                // the input or output stream failed (a closed pipe, bytes that are not UTF-8): not a bug
                err.println("vellum: cannot read the input or write the output: "
                        + io.getCause().getMessage());
            } else {
                // library failures are typed; anything else is a bug in Vellum
                err.println("vellum: internal error (please report it): "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            if (cli.debug) {
                e.printStackTrace(err);
            } else if (!(e instanceof VellumException) && !(e instanceof java.io.UncheckedIOException)) {
                err.println("Run again with --debug for details.");
            }
            err.flush();
            return FAILED;
        });
        return commandLine.execute(args);
    }

    /** The library names its options as the API does; the command line names the flags that set them. */
    private static final Map<String, String> API_TO_FLAGS = Map.of(
            "Mode.RESUME", "--resume",
            "Mode.MERGE", "--merge",
            "Mode.REPLACE", "--replace",
            "maintain with vacuum=true", "add --vacuum");

    /** A library message as the command line's user needs it: with the flags that choose what it names. */
    static String inCommandTerms(String message) {
        String text = message;
        for (Map.Entry<String, String> e : API_TO_FLAGS.entrySet()) {
            text = text.replace(e.getKey(), e.getValue());
        }
        return text;
    }

    /** Standard input (for {@code put}). */
    InputStream in() {
        return in;
    }

    /** The configuration from the environment, {@code .env} and {@code --url}. */
    VellumConfig.Builder configure() {
        VellumConfig.Builder builder = VellumConfig.builder().environment(environment);
        if (envFile != null) {
            builder.envFile(envFile);
        }
        if (url != null) {
            builder.url(url);
        }
        return builder;
    }

    /** The configuration with a command's own URL option (such as {@code --to}) over it, when given. */
    VellumConfig.Builder configure(String commandUrl) {
        VellumConfig.Builder builder = configure();
        return commandUrl == null ? builder : builder.url(commandUrl);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vellum " + dev.vellum.Vellum.version()};
        }
    }
}
