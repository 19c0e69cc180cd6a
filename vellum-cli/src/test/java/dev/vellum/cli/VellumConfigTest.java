package dev.vellum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.ConfigurationException;
import dev.vellum.Setting;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.sqlite.SqliteBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration as the command reads it: every backend module on the classpath, the scripts' variables declared. */
class VellumConfigTest {
    @TempDir
    Path dir;

    private VellumConfig fromEnv(Map<String, String> env) {
        return VellumConfig.builder().environment(env).envFile(emptyEnvFile()).build();
    }

    private Path emptyEnvFile() {
        try {
            Path file = dir.resolve("empty.env");
            if (!Files.exists(file)) {
                Files.writeString(file, "");
            }
            return file;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void defaultsAreSqliteInTheWorkingDirectory() {
        VellumConfig config = fromEnv(Map.of());
        assertThat(config.backend()).isEqualTo("sqlite");
        assertThat(SqliteBackend.path(config)).isEqualTo(Path.of("./vellum.db"));
        assertThat(config.getInt(PostgresSettings.POOL_MIN, 0)).isEqualTo(2);
        assertThat(config.getInt(PostgresSettings.POOL_MAX, 1)).isEqualTo(10);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.autoMigrate()).isTrue();
        assertThat(config.getBoolean(PostgresSettings.PGBOUNCER)).isFalse();
        assertThat(config.get(PostgresSettings.URL)).isEmpty();
        assertThat(config.sourceOf(Setting.DB_BACKEND)).isEqualTo("default");
    }

    @Test
    void builderBeatsEnvironmentBeatsDotenvBeatsDefaults() throws IOException {
        Path envFile = dir.resolve("app.env");
        Files.writeString(
                envFile, "VELLUM_POSTGRES_POOL_MAX=30\nVELLUM_POSTGRES_POOL_MIN=3\nVELLUM_CONNECT_TIMEOUT=5s\n");
        VellumConfig config = VellumConfig.builder()
                .environment(Map.of("VELLUM_POSTGRES_POOL_MAX", "20", "VELLUM_POSTGRES_POOL_MIN", "4"))
                .envFile(envFile)
                .poolMin(5)
                .build();
        assertThat(config.getInt(PostgresSettings.POOL_MIN, 0)).isEqualTo(5);
        assertThat(config.getInt(PostgresSettings.POOL_MAX, 1)).isEqualTo(20);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.sourceOf(PostgresSettings.POOL_MIN)).isEqualTo("builder");
        assertThat(config.sourceOf(PostgresSettings.POOL_MAX)).isEqualTo("environment");
        assertThat(config.sourceOf(Setting.CONNECT_TIMEOUT)).isEqualTo(envFile.toString());
    }

    @Test
    void envFileCanBeNamedByVariable() throws IOException {
        Path envFile = dir.resolve("custom.env");
        Files.writeString(envFile, "VELLUM_DB_BACKEND=memory\n");
        VellumConfig config = VellumConfig.builder()
                .environment(Map.of("VELLUM_ENV_FILE", envFile.toString()))
                .build();
        assertThat(config.backend()).isEqualTo("memory");
    }

    @Test
    void variablesOfTheScriptsAroundTheLibraryAreNotTypos() {
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .environment(Map.of(
                        "VELLUM_JAVA_OPTS", "-Xmx1g", "VELLUM_DEV_POSTGRES_PORT", "55432", "VELLUM_APP_PASSWORD", "x"))
                .build();
        assertThat(config.backend()).isEqualTo("sqlite");
        assertThatThrownBy(() -> VellumConfig.builder()
                        .environment(Map.of("VELLUM_DEV_POSTGRES_PRT", "1"))
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_DEV_POSTGRES_PRT");
    }

    @Test
    void namedEnvFileMustExist() {
        assertThatThrownBy(() -> VellumConfig.builder()
                        .environment(Map.of(
                                "VELLUM_ENV_FILE", dir.resolve("missing.env").toString()))
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VELLUM_ENV_FILE names")
                .hasMessageContaining("does not exist");
    }

    @Test
    void unknownKeySuggestsTheNearestOne() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_POSTGRES_POOL_MAXX", "3")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Unknown setting VELLUM_POSTGRES_POOL_MAXX in the environment. "
                        + "Did you mean VELLUM_POSTGRES_POOL_MAX?");
    }

    @Test
    void unknownKeyInDotenvNamesTheFile() throws IOException {
        Path envFile = dir.resolve("typo.env");
        Files.writeString(envFile, "VELLUM_SQLITE_PTH=x.db\n");
        assertThatThrownBy(() -> VellumConfig.builder()
                        .environment(Map.of())
                        .envFile(envFile)
                        .build())
                .hasMessage("Unknown setting VELLUM_SQLITE_PTH in " + envFile + ". Did you mean VELLUM_SQLITE_PATH?");
    }

    @Test
    void unrelatedEnvironmentVariablesAreIgnored() {
        assertThat(fromEnv(Map.of("PATH", "/bin", "HOME", "/root")).backend()).isEqualTo("sqlite");
    }

    @Test
    void unknownKeyFarFromAnyListsTheKnownOnes() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_COMPLETELY_DIFFERENT_THING", "1")))
                .hasMessageStartingWith("Unknown setting VELLUM_COMPLETELY_DIFFERENT_THING in the environment. "
                        + "Known settings: VELLUM_DB_BACKEND, ");
    }

    @Test
    void unknownBackendListsTheValidOnes() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_DB_BACKEND", "mysql")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Unknown database backend 'mysql'. Expected one of: sqlite, postgres, memory "
                        + "(set VELLUM_DB_BACKEND)");
    }

    @Test
    void badNumbersNameTheKey() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_POSTGRES_POOL_MAX", "ten")))
                .hasMessage("VELLUM_POSTGRES_POOL_MAX must be a whole number, got 'ten'");
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_POSTGRES_POOL_MAX", "0")))
                .hasMessage("VELLUM_POSTGRES_POOL_MAX must be at least 1, got 0");
    }

    @Test
    void poolMinAboveMaxIsRejected() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_POSTGRES_POOL_MIN", "20", "VELLUM_POSTGRES_POOL_MAX", "10")))
                .hasMessage("VELLUM_POSTGRES_POOL_MIN (20) must not be greater than VELLUM_POSTGRES_POOL_MAX (10)");
    }

    @Test
    void badBooleansAndDurationsNameTheKey() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_AUTO_MIGRATE", "maybe")))
                .hasMessage("VELLUM_AUTO_MIGRATE must be true or false, got 'maybe'");
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_CONNECT_TIMEOUT", "30")))
                .hasMessage("VELLUM_CONNECT_TIMEOUT must be a duration such as 500ms, 30s, 2m or 1h, got '30'");
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_CONNECT_TIMEOUT", "10ms")))
                .hasMessage("VELLUM_CONNECT_TIMEOUT must be at least 250ms, got '10ms'");
        assertThat(fromEnv(Map.of("VELLUM_CONNECT_TIMEOUT", "2m")).connectTimeout())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(fromEnv(Map.of("VELLUM_POSTGRES_STATEMENT_TIMEOUT", "500ms"))
                        .getDuration(PostgresSettings.STATEMENT_TIMEOUT))
                .contains(Duration.ofMillis(500));
    }

    @Test
    void postgresWithoutUrlSaysWhatToSet() {
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_DB_BACKEND", "postgres")))
                .hasMessage("The postgres backend needs a server address: set VELLUM_POSTGRES_URL (or DATABASE_URL), "
                        + "e.g. postgres://app:secret@localhost:5432/app, or VELLUM_POSTGRES_HOST with "
                        + "VELLUM_POSTGRES_DATABASE and VELLUM_POSTGRES_USER");
    }

    /** As Helm charts and platform blueprints hand a database over: values apart, the password as a secret file. */
    @Test
    void theServerMayBeGivenAsSeparateValues() throws IOException {
        Path secret = dir.resolve("pg-password");
        Files.writeString(secret, "s3cret\n");
        PostgresTarget pg = PostgresTarget.of(fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "VELLUM_POSTGRES_HOST",
                "db.internal",
                "VELLUM_POSTGRES_PORT",
                "6543",
                "VELLUM_POSTGRES_DATABASE",
                "shop",
                "VELLUM_POSTGRES_USER",
                "app",
                "VELLUM_POSTGRES_PASSWORD_FILE",
                secret.toString())));
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/shop");
        assertThat(pg.user()).isEqualTo("app");
        assertThat(pg.password()).isEqualTo("s3cret");
        // the database defaults to the user's, and the port to PostgreSQL's
        PostgresTarget defaults = PostgresTarget.of(fromEnv(
                Map.of("VELLUM_DB_BACKEND", "postgres", "VELLUM_POSTGRES_HOST", "db", "VELLUM_POSTGRES_USER", "app")));
        assertThat(defaults.describe()).isEqualTo("db:5432/app as user 'app'");
        assertThat(defaults.password()).isNull();
    }

    @Test
    void separateValuesFillInWhatTheUrlLeavesOutAndConflictsAreRefused() {
        PostgresTarget filled = PostgresTarget.of(fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "VELLUM_POSTGRES_URL",
                "postgres://db:5432/shop",
                "VELLUM_POSTGRES_USER",
                "app",
                "VELLUM_POSTGRES_PASSWORD",
                "pw")));
        assertThat(filled.user()).isEqualTo("app");
        assertThat(filled.password()).isEqualTo("pw");
        assertThat(PostgresTarget.of(fromEnv(Map.of(
                                "VELLUM_DB_BACKEND",
                                "postgres",
                                "VELLUM_POSTGRES_URL",
                                "postgres://app@db:5432/shop",
                                "VELLUM_POSTGRES_HOST",
                                "db")))
                        .hosts())
                .isEqualTo("db:5432");
        assertThatThrownBy(() -> PostgresTarget.of(fromEnv(Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_URL",
                        "postgres://app@db:5432/shop",
                        "VELLUM_POSTGRES_HOST",
                        "other"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VELLUM_POSTGRES_HOST gives 'other' as the host while VELLUM_POSTGRES_URL gives 'db': give "
                        + "the server one way (a URL, or separate values), or make them agree");
        assertThatThrownBy(() -> PostgresTarget.of(fromEnv(Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_URL",
                        "postgres://app:Pw-1x@db/shop",
                        "VELLUM_POSTGRES_PASSWORD",
                        "Pw-2y"))))
                .hasMessageNotContaining("Pw-1x")
                .hasMessageNotContaining("Pw-2y")
                .hasMessageContaining("VELLUM_POSTGRES_PASSWORD gives another value");
        assertThatThrownBy(() -> PostgresTarget.of(fromEnv(Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_HOST",
                        "db",
                        "VELLUM_POSTGRES_PORT",
                        "fivefour"))))
                .hasMessage("VELLUM_POSTGRES_PORT must be a port number, got 'fivefour'");
    }

    /** libpq's variables, set for psql in the same shell, give what Vellum is not told otherwise; never a conflict. */
    @Test
    void libpqVariablesAreTheFallback() {
        PostgresTarget pg = PostgresTarget.of(fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "PGHOST",
                "pghost",
                "PGPORT",
                "5433",
                "PGDATABASE",
                "pgdb",
                "PGUSER",
                "pguser",
                "PGPASSWORD",
                "pgpw")));
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://pghost:5433/pgdb");
        assertThat(pg.user()).isEqualTo("pguser");
        assertThat(pg.password()).isEqualTo("pgpw");
        PostgresTarget url = PostgresTarget.of(fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "VELLUM_POSTGRES_URL",
                "postgres://app:pw@db:5432/shop",
                "PGHOST",
                "elsewhere",
                "PGUSER",
                "postgres",
                "PGPASSWORD",
                "x")));
        assertThat(url.describe()).isEqualTo("db:5432/shop as user 'app'");
        assertThat(url.password()).isEqualTo("pw");
    }

    /**
     * Kubernetes gives every pod variables for each Service: one named vellum gives VELLUM_PORT=tcp://…, one named
     * vellum-postgres gives VELLUM_POSTGRES_PORT=tcp://…, a setting's name. None of them stops a start or is read.
     */
    @Test
    void kubernetesServiceLinksAreNotSettings() {
        VellumConfig config = fromEnv(Map.ofEntries(
                Map.entry("VELLUM_SERVICE_HOST", "10.0.0.7"),
                Map.entry("VELLUM_SERVICE_PORT", "8080"),
                Map.entry("VELLUM_SERVICE_PORT_HTTP", "8080"),
                Map.entry("VELLUM_PORT", "tcp://10.0.0.7:8080"),
                Map.entry("VELLUM_PORT_8080_TCP", "tcp://10.0.0.7:8080"),
                Map.entry("VELLUM_PORT_8080_TCP_PROTO", "tcp"),
                Map.entry("VELLUM_PORT_8080_TCP_PORT", "8080"),
                Map.entry("VELLUM_PORT_8080_TCP_ADDR", "10.0.0.7"),
                Map.entry("VELLUM_POSTGRES_PORT", "tcp://10.0.0.9:5432"),
                Map.entry("VELLUM_POSTGRES_SERVICE_HOST", "10.0.0.9"),
                Map.entry("VELLUM_DB_BACKEND", "postgres"),
                Map.entry("VELLUM_POSTGRES_HOST", "vellum-postgres"),
                Map.entry("VELLUM_POSTGRES_USER", "app"),
                Map.entry("VELLUM_API_PORT", "tcp://[fd00::1]:80")));
        assertThat(config.get(PostgresSettings.PORT)).isEmpty();
        assertThat(PostgresTarget.of(config).hosts()).isEqualTo("vellum-postgres");
        // a typo of a real setting still fails, with the suggestion
        assertThatThrownBy(() -> fromEnv(Map.of("VELLUM_SERVICE_HOST", "10.0.0.7", "VELLUM_HTTP_PROT", "8080")))
                .hasMessage("Unknown setting VELLUM_HTTP_PROT in the environment. Did you mean VELLUM_HTTP_PORT?");
    }

    @Test
    void databaseUrlIsTheFallback() {
        VellumConfig config = fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "DATABASE_URL",
                "postgres://app:pw@db.internal:6543/shop?sslmode=require"));
        PostgresTarget pg = PostgresTarget.of(config);
        assertThat(pg.hosts()).isEqualTo("db.internal:6543");
        assertThat(pg.database()).isEqualTo("shop");
        assertThat(pg.user()).isEqualTo("app");
        assertThat(pg.password()).isEqualTo("pw");
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/shop?sslmode=require");
        assertThat(config.sourceOf(PostgresSettings.URL)).isEqualTo("DATABASE_URL");
    }

    @Test
    void percentEncodedPasswordsWithReservedCharactersWork() {
        VellumConfig config = fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "VELLUM_POSTGRES_URL",
                "postgresql://app%40corp:p%40ss%2Fw%3Ard%25+x@localhost/app"));
        PostgresTarget pg = PostgresTarget.of(config);
        assertThat(pg.user()).isEqualTo("app@corp");
        assertThat(pg.password()).isEqualTo("p@ss/w:rd%+x");
        assertThat(pg.describe()).isEqualTo("localhost:5432/app as user 'app@corp'");
        assertThat(PostgresTarget.parse(pg.toUrlWithCredentials(), "x")).isEqualTo(pg);
    }

    @Test
    void jdbcUrlCredentialsAreTakenOutOfTheUrl() {
        PostgresTarget pg = PostgresTarget.parse(
                "jdbc:postgresql://h1:5432,h2:5433/app?user=svc&password=s3cret&sslmode=verify-full&sslrootcert=/ca.pem",
                "VELLUM_POSTGRES_URL");
        assertThat(pg.user()).isEqualTo("svc");
        assertThat(pg.password()).isEqualTo("s3cret");
        assertThat(pg.jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/app?sslmode=verify-full&sslrootcert=%2Fca.pem");
        assertThat(pg.parameters()).containsEntry("sslrootcert", "/ca.pem");
    }

    @Test
    void brokenPercentEscapeIsAClearError() {
        assertThatThrownBy(() -> PostgresTarget.parse("postgres://app:100%@localhost/app", "VELLUM_POSTGRES_URL"))
                .hasMessageContaining("VELLUM_POSTGRES_URL has a broken percent-escape")
                .hasMessageNotContaining("100");
    }

    @Test
    void passwordFileOverridesTheUrlPassword() throws IOException {
        Path secret = dir.resolve("pg-password");
        Files.writeString(secret, "from-file\n");
        VellumConfig config = fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "VELLUM_POSTGRES_URL",
                "postgres://app:in-url@localhost/app",
                "VELLUM_POSTGRES_PASSWORD_FILE",
                secret.toString()));
        assertThat(PostgresTarget.of(config).password()).isEqualTo("from-file");
    }

    @Test
    void replicaUrlsSplitBetweenUrlsAndTakeThePrimarysCredentials() throws IOException {
        Path secret = dir.resolve("pg-password");
        Files.writeString(secret, "primary-secret\n");
        VellumConfig config = fromEnv(Map.of(
                "VELLUM_DB_BACKEND",
                "postgres",
                "VELLUM_POSTGRES_URL",
                "postgres://app@primary:5432/app",
                "VELLUM_POSTGRES_PASSWORD_FILE",
                secret.toString(),
                "VELLUM_POSTGRES_REPLICA_URLS",
                "postgres://r1:5432/app, postgres://reader@r2a:5432,r2b:5432/app"
                        + "?targetServerType=preferSecondary,jdbc:postgresql://r3:5433/app?user=other&password=own"));
        List<PostgresTarget> replicas = PostgresTarget.replicas(config);
        assertThat(replicas)
                .extracting(PostgresTarget::hosts)
                .containsExactly("r1:5432", "r2a:5432,r2b:5432", "r3:5433");
        assertThat(replicas).extracting(PostgresTarget::user).containsExactly("app", "reader", "other");
        assertThat(replicas)
                .extracting(PostgresTarget::password)
                .containsExactly("primary-secret", "primary-secret", "own");
        assertThat(replicas.get(1).parameters()).containsEntry("targetServerType", "preferSecondary");
        assertThat(config.toString()).doesNotContain("own");
        assertThatThrownBy(() -> fromEnv(Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_URL",
                        "postgres://app@primary/app",
                        "VELLUM_POSTGRES_REPLICA_MAX_LAG",
                        "soon")))
                .hasMessageContaining("VELLUM_POSTGRES_REPLICA_MAX_LAG");
    }

    @Test
    void unreadablePasswordFileNamesTheKey() {
        assertThatThrownBy(() -> fromEnv(Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_URL",
                        "postgres://app@localhost/app",
                        "VELLUM_POSTGRES_PASSWORD_FILE",
                        dir.resolve("nope").toString())))
                .hasMessageStartingWith(
                        "VELLUM_POSTGRES_PASSWORD_FILE names '" + dir.resolve("nope") + "', which " + "cannot be read");
    }

    @Test
    void passwordsNeverAppearInToString() {
        VellumConfig config = fromEnv(
                Map.of("VELLUM_DB_BACKEND", "postgres", "VELLUM_POSTGRES_URL", "postgres://app:hunter2@localhost/app"));
        assertThat(config.toString()).doesNotContain("hunter2").contains("VELLUM_POSTGRES_URL=****");
        assertThat(PostgresTarget.of(config).toString()).doesNotContain("hunter2");
        assertThat(PostgresTarget.of(config).jdbcUrl()).doesNotContain("hunter2");
        assertThat(config.describeTarget()).isEqualTo("localhost:5432/app as user 'app'");
    }

    @Test
    void badUrlSchemeIsRejectedWithTheAcceptedForms() {
        assertThatThrownBy(() -> VellumConfig.builder().url("mysql://localhost/db"))
                .hasMessage("Unsupported database URL scheme 'mysql:'. Use memory:, sqlite:PATH, jdbc:sqlite:PATH, "
                        + "postgres://, postgresql:// or jdbc:postgresql://");
    }

    @Test
    void urlSetsBackendAndLocation() {
        assertThat(SqliteBackend.path(VellumConfig.builder()
                        .isolated()
                        .url("jdbc:sqlite:/tmp/x.db")
                        .build()))
                .isEqualTo(Path.of("/tmp/x.db"));
        assertThat(VellumConfig.builder().isolated().url("memory:").build().backend())
                .isEqualTo("memory");
        assertThat(VellumConfig.builder()
                        .isolated()
                        .url("postgres://u@h/d")
                        .build()
                        .backend())
                .isEqualTo("postgres");
    }

    @Test
    void unknownBuilderKeyIsRejected() {
        assertThatThrownBy(() -> VellumConfig.builder()
                        .isolated()
                        .set("VELLUM_SQLITE_PAHT", "x")
                        .build())
                .hasMessage("Unknown setting VELLUM_SQLITE_PAHT in the configuration builder. "
                        + "Did you mean VELLUM_SQLITE_PATH?");
    }

    @Test
    void malformedDotenvNamesTheFile() throws IOException {
        Path envFile = dir.resolve("broken.env");
        Files.writeString(envFile, "VELLUM_DB_BACKEND=sqlite\nthis line has no equals sign\n");
        assertThatThrownBy(() -> VellumConfig.builder()
                        .environment(Map.of())
                        .envFile(envFile)
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Cannot read " + envFile);
    }
}
