package dev.vellum.cli;

import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Show every setting, its value (secrets hidden) and where the value came from.")
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        VellumConfig config = cli.configure().build();
        List<List<String>> rows = new ArrayList<>();
        for (SettingKey s : config.settings()) {
            String value = config.get(s);
            rows.add(List.of(s.key(), s.isSecret() && !value.isEmpty() ? "****" : value, config.sourceOf(s)));
        }
        Table.text(spec.commandLine().getOut(), List.of("setting", "value", "from"), rows);
        return 0;
    }
}
