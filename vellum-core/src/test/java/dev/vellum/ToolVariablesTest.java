package dev.vellum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * vellum-core alone, as in an application that has none of the tool modules: the variables the README tells users to
 * export for the project's scripts and tests are not settings, and not typos either.
 */
class ToolVariablesTest {
    @Test
    void theProjectsOwnToolVariablesAreAcceptedWithoutTheirModules() {
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .environment(Map.of(
                        "VELLUM_TEST_POSTGRES_URL",
                        "postgres://localhost/test",
                        "VELLUM_BENCH_POSTGRES_URL",
                        "x",
                        "VELLUM_DEV_POSTGRES_REPLICA_PORT",
                        "55433",
                        "VELLUM_JAVA_OPTS",
                        "-Xmx1g"))
                .url("memory:")
                .build();
        assertThat(config.backend()).isEqualTo("memory");
    }

    @Test
    void aTypoOfOneIsStillATypo() {
        assertThatThrownBy(() -> VellumConfig.builder()
                        .isolated()
                        .environment(Map.of("VELLUM_TEST_POSTGRES_ULR", "x"))
                        .url("memory:")
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_TEST_POSTGRES_ULR");
    }
}
