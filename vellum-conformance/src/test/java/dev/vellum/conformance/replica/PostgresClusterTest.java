package dev.vellum.conformance.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Database;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresCluster;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The testkit's replicas are real: they stream, replay can be paused, and a stopped one catches up when started. */
@Tag("slow")
class PostgresClusterTest {
    private static PostgresCluster cluster;

    @BeforeAll
    static void start() {
        cluster = PostgresCluster.start();
    }

    @AfterAll
    static void stop() throws IOException {
        cluster.close();
    }

    private static Database open(PostgresTarget target) {
        return Database.open(VellumConfig.builder()
                .isolated()
                .url(target.toUrlWithCredentials())
                .build());
    }

    @Test
    void aReplicaStreamsPausesAndCatchesUp() {
        PostgresTarget db = cluster.createDatabase("streamed");
        PostgresCluster.Replica replica = cluster.addReplica();
        try (Database primary = open(db)) {
            primary.execute("CREATE TABLE t (n INT)");
            primary.execute("INSERT INTO t VALUES (1)");
            replica.awaitCaughtUp(Duration.ofSeconds(10));
            Database standby = Database.open(VellumConfig.builder()
                    .isolated()
                    .url(replica.target(db).toUrlWithCredentials())
                    .autoMigrate(false)
                    .build());
            assertThat(standby.fetchOne("SELECT count(*) AS n FROM t")
                            .orElseThrow()
                            .getLong("n"))
                    .isEqualTo(1);

            replica.pauseReplay();
            primary.execute("INSERT INTO t VALUES (2)");
            assertThat(cluster.currentLsn()).isGreaterThan(replica.replayLsn());
            assertThat(standby.fetchOne("SELECT count(*) AS n FROM t")
                            .orElseThrow()
                            .getLong("n"))
                    .isEqualTo(1);
            replica.resumeReplay();
            replica.awaitCaughtUp(Duration.ofSeconds(10));
            assertThat(standby.fetchOne("SELECT count(*) AS n FROM t")
                            .orElseThrow()
                            .getLong("n"))
                    .isEqualTo(2);

            standby.close();
            replica.stop();
            primary.execute("INSERT INTO t VALUES (3)");
            replica.start();
            replica.awaitCaughtUp(Duration.ofSeconds(30));
        }
        try (Database standby = Database.open(VellumConfig.builder()
                .isolated()
                .url(replica.target(db).toUrlWithCredentials())
                .autoMigrate(false)
                .build())) {
            assertThat(standby.fetchOne("SELECT count(*) AS n FROM t")
                            .orElseThrow()
                            .getLong("n"))
                    .isEqualTo(3);
        }
    }
}
