package dev.vellum.cli;

import dev.vellum.VellumConfig;
import dev.vellum.VellumException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** The {@code vellum} command. */
@Command(name = "vellum", mixinStandardHelpOptions = true, versionProvider = VellumCli.Version.class,
        description = "One record store and one SQL API over SQLite, PostgreSQL and memory.",
        subcommands = {HealthCommand.class, SqlCommand.class, MigrateCommand.class, ConfigCommand.class,
                CommandLine.HelpCommand.class})
public final class VellumCli {
    /** Exit code for any error Vellum explains (configuration, connection, bad SQL, …). */
    static final int FAILED = 1;

    @Option(names = "--url", paramLabel = "URL", scope = CommandLine.ScopeType.INHERIT,
            description = "Database URL (sqlite:PATH, postgres://…, memory:); overrides VELLUM_DB_BACKEND and the "
                    + "location settings")
    String url;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors (never passwords)")
    boolean debug;

    private final Map<String, String> environment;
    private final Path envFile;

    VellumCli(Map<String, String> environment, Path envFile) {
        this.environment = environment;
        this.envFile = envFile;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), null, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                args));
    }

    /** Runs the command line against an environment; what {@link #main} and the tests call. */
    static int run(Map<String, String> environment, Path envFile, PrintWriter out, PrintWriter err, String... args) {
        VellumCli cli = new VellumCli(environment, envFile);
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof VellumException) {
                err.println("vellum: " + e.getMessage());
            } else {
                err.println("vellum: unexpected error: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            if (cli.debug) {
                e.printStackTrace(err);
            } else if (!(e instanceof VellumException)) {
                err.println("Run again with --debug for details.");
            }
            err.flush();
            return FAILED;
        });
        return commandLine.execute(args);
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = VellumCli.class.getPackage().getImplementationVersion();
            return new String[]{"vellum " + (version == null ? "development build" : version)};
        }
    }
}
