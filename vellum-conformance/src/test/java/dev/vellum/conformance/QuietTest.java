package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain program that uses the library and chose no logging prints nothing Vellum did not ask it to: not SLF4J's
 * "no providers" warning, not Flyway's migration lines, not the result tables of a migration's SELECT. It once printed
 * 26 lines on opening a fresh database.
 */
class QuietTest {
    @TempDir
    Path dir;

    /** The program: opens a fresh SQLite database (every migration runs), writes, reads, opens it again. */
    public static void main(String[] args) {
        for (int i = 0; i < 2; i++) {
            try (RecordStore store = Vellum.open("sqlite:" + args[0])) {
                store.collection("notes").insert(Map.of("n", i));
                System.out.println("records " + store.collection("notes").count());
            }
        }
    }

    @Test
    void aProgramWithoutLoggingPrintsOnlyWhatItPrints() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("logback")
                        && !entry.contains("slf4j-simple")
                        && !entry.contains("jul-to-slf4j"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classPath,
                QuietTest.class.getName(),
                dir.resolve("fresh.db").toString()));
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        assertThat(out).isEqualTo("records 1\nrecords 2\n");
        assertThat(err).isEmpty();
    }
}
