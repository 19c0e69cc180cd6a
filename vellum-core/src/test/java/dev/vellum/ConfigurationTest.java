package dev.vellum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration on its own, with only core's memory backend: where values come from, and strictness. */
class ConfigurationTest {
    @TempDir
    Path dir;

    @Test
    void theBuilderWinsOverTheEnvironmentWhichWinsOverTheEnvFileWhichWinsOverTheDefault() throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "VELLUM_CONNECT_TIMEOUT=7s\nVELLUM_CHANGES_RETENTION=3d\nVELLUM_MAX_RECORD_SIZE=1MB\n");
        VellumConfig config = VellumConfig.builder() // the environment given, not the process's
                .envFile(env)
                .environment(Map.of("VELLUM_CHANGES_RETENTION", "5d", "VELLUM_DB_BACKEND", "memory"))
                .set(Setting.CHANGES_RETENTION, "9d")
                .build();
        assertThat(config.getDuration(Setting.CHANGES_RETENTION)).contains(Duration.ofDays(9));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.maxRecordSize()).isEqualTo(1024 * 1024);
        assertThat(config.maxAnswerSize()).as("the default").isEqualTo(16 * 1024 * 1024);
        assertThat(config.sourceOf(Setting.CONNECT_TIMEOUT)).contains(".env");
        assertThat(config.sourceOf(Setting.CHANGES_RETENTION)).isEqualTo("builder");
    }

    /** Only core is on this module's classpath: the backends' and the server's settings are theirs to declare. */
    @Test
    void settingsOfAModuleThatIsNotInstalledAreItsOwn() {
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .environment(Map.of("VELLUM_POSTGRES_URL", "postgres://db/app", "VELLUM_HTTP_PORT", "9000"))
                .url("memory:")
                .build();
        assertThat(config.settings()).containsExactly(Setting.values());
        assertThatThrownBy(() -> config.get(SettingKey.of("VELLUM_POSTGRES_URL", "", "elsewhere")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not on the classpath");
        assertThatThrownBy(() -> VellumConfig.builder()
                        .isolated()
                        .url("memory:")
                        .poolMax(9)
                        .build())
                .as("set on purpose, it is a mistake")
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_POSTGRES_POOL_MAX is a setting of vellum-postgres")
                .hasMessageContaining("dev.vellum:vellum-postgres");
        assertThatThrownBy(() -> SettingKey.of("POSTGRES_URL", "", "no prefix"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownVellumKeyIsAnErrorThatSuggestsTheNearestOne() {
        assertThatThrownBy(() -> VellumConfig.builder()
                        .isolated()
                        .environment(Map.of("VELLUM_CONECT_TIMEOUT", "5s", "VELLUM_DB_BACKEND", "memory"))
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_CONECT_TIMEOUT")
                .hasMessageContaining("VELLUM_CONNECT_TIMEOUT");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> VellumConfig.builder()
                        .isolated()
                        .url("memory:")
                        .set("VELLUM_CONNECT_TIMEOUT", "soon")
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_CONNECT_TIMEOUT");
        assertThatThrownBy(() -> VellumConfig.builder()
                        .isolated()
                        .url("memory:")
                        .set("VELLUM_MAX_RECORD_SIZE", "lots")
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_MAX_RECORD_SIZE");
    }

    @Test
    void durationsAndSizesReadTheUnitsPeopleWrite() {
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .url("memory:")
                .set("VELLUM_CONNECT_TIMEOUT", "500ms")
                .set("VELLUM_CHANGES_RETENTION", "2d")
                .set("VELLUM_MAX_ANSWER_SIZE", "512KB")
                .build();
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.getDuration(Setting.CHANGES_RETENTION)).contains(Duration.ofDays(2));
        assertThat(config.maxAnswerSize()).isEqualTo(512 * 1024);
    }

    @Test
    void anIsolatedBuilderIgnoresTheMachinesEnvironment() {
        VellumConfig config = VellumConfig.builder().isolated().url("memory:").build();
        assertThat(config.backend()).isEqualTo("memory");
        assertThat(config.toString()).doesNotContain("password");
    }
}
