package dev.vellum.cli;

import dev.vellum.Database;
import dev.vellum.MigrationReport;
import dev.vellum.MigrationStatus;
import dev.vellum.Vellum;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Apply (up, the default), list (status) or check (validate) Vellum's migrations and the "
                + "application's (VELLUM_MIGRATIONS).")
final class MigrateCommand implements Callable<Integer> {
    enum Action {
        up,
        status,
        validate
    }

    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ACTION",
            defaultValue = "up",
            description = "up, status or validate (default: ${DEFAULT-VALUE})")
    Action action;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database db = Database.open(
                cli.configure().autoMigrate(false).requireCurrentSchema(false).build())) {
            switch (action) {
                case up -> {
                    MigrationReport report = db.migrate();
                    // opening the record store rebuilds indexes an older Vellum made in an older form
                    Vellum.open(cli.configure().autoMigrate(true).build()).close();
                    out.println("Applied " + report.applied() + (report.applied() == 1 ? " migration" : " migrations")
                            + " to " + db.describeTarget() + "; Vellum schema version " + report.schemaVersion()
                            + (report.appVersion().isEmpty() ? "" : ", application version " + report.appVersion()));
                    return 0;
                }
                case status -> {
                    List<List<String>> rows = new ArrayList<>();
                    for (MigrationStatus m : db.migrationStatus()) {
                        rows.add(List.of(
                                m.scope(),
                                m.version(),
                                m.description(),
                                m.state(),
                                m.installedOn() == null ? "" : m.installedOn().toString()));
                    }
                    Table.text(out, List.of("scope", "version", "description", "state", "installed"), rows);
                    return 0;
                }
                default -> {
                    List<String> problems = db.validateMigrations();
                    if (problems.isEmpty()) {
                        out.println("Migrations are valid: every applied migration matches its file.");
                        return 0;
                    }
                    PrintWriter err = spec.commandLine().getErr();
                    problems.forEach(p -> err.println("vellum: " + p));
                    return VellumCli.FAILED;
                }
            }
        }
    }
}
