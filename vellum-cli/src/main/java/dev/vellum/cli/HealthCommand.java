package dev.vellum.cli;

import dev.vellum.Database;
import dev.vellum.Health;
import dev.vellum.VellumConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description = "Open the database (applying migrations when enabled) and report backend, server version, "
                + "schema version and pool state. Exit code 0 when healthy.")
final class HealthCommand implements Callable<Integer> {
    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        VellumConfig config = cli.configure().build();
        if (config.backend().equals("memory")) {
            Table.keyValues(out, new String[][] {
                {"backend", "memory"},
                {"database", "process memory (records are gone when the process ends)"},
                {"status", "healthy"}
            });
            return 0;
        }
        try (Database db = Database.open(config)) {
            Health health = db.health();
            List<String[]> lines = new ArrayList<>(List.of(new String[][] {
                {"backend", health.backend()},
                {"server", health.serverVersion()},
                {"database", health.target()},
                {"encryption", health.encryption()},
                {
                    "schema version",
                    health.schemaVersion()
                            + (health.pendingMigrations() == 0
                                    ? " (up to date)"
                                    : " (" + health.pendingMigrations() + " pending: run `vellum migrate`)")
                },
                {"pool", health.pool().toString()}
            }));
            for (Health.Replica r : health.replicas().members()) {
                lines.add(new String[] {
                    "replica",
                    r.name() + ": " + r.state() + ", lag " + r.lag().toMillis() + " ms"
                            + (r.problem() == null ? "" : " (" + r.problem() + ")")
                });
            }
            lines.add(new String[] {"status", health.pendingMigrations() == 0 ? "healthy" : "schema behind"});
            Table.keyValues(out, lines.toArray(String[][]::new));
            return health.pendingMigrations() == 0 ? 0 : VellumCli.FAILED;
        }
    }
}
