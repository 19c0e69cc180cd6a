package dev.vellum.cli;

import dev.vellum.Database;
import dev.vellum.Result;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = "Run one SQL statement through the Database API and print its rows as a table (or the number "
                + "of rows it changed).")
final class SqlCommand implements Callable<Integer> {
    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SQL", description = "The statement, with ? for each parameter")
    String sql;

    @Parameters(index = "1..*", paramLabel = "PARAM", description = "Values for the ? placeholders (bound as text)")
    List<String> params = List.of();

    @Override
    public Integer call() {
        try (Database db = Database.open(cli.configure().build())) {
            Result result = db.run(sql, params.toArray());
            if (result.hasRows()) {
                Table.rows(spec.commandLine().getOut(), result.columns(), result.rows());
            } else {
                spec.commandLine()
                        .getOut()
                        .println(result.updateCount() + (result.updateCount() == 1 ? " row" : " rows") + " affected");
            }
            return 0;
        }
    }
}
