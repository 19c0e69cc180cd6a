package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.PostgresCluster;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Failover on real servers: {@code vellum serve} over a multi-host URL ({@code targetServerType=primary}) with a
 * synchronous standby, under a steady stream of inserts. The primary is stopped and the standby promoted: every request
 * meanwhile answers 201 or 503 with Retry-After (never a 500), inserts succeed again within 10 seconds without
 * restarting anything, and every insert that was acknowledged is on the new primary.
 */
@Tag("slow")
class FailoverTest {
    private static final int WRITERS = 4;

    @Test
    void writesResumeOnThePromotedStandbyAndNoAcknowledgedWriteIsLost() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start()) {
            PostgresCluster.Replica standby = cluster.addReplica();
            cluster.makeSynchronous(standby);
            cluster.createDatabase("failover");
            String url = "postgres://postgres@127.0.0.1:" + cluster.primaryPort() + ",127.0.0.1:" + standby.port()
                    + "/failover?targetServerType=primary";
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicLong lastSuccess = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            try (RecordStore store = Vellum.open(
                            VellumConfig.builder().isolated().url(url).build());
                    Http http = Http.start(store, Map.of("VELLUM_HTTP_REQUEST_TIMEOUT", "20s"))) {
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    Thread t = new Thread(() -> {
                        for (int n = 0; running.get(); n++) {
                            String id = "w" + writer + "-" + n;
                            HttpResponse<String> r = http.send(
                                    "POST",
                                    "/v1/collections/events/records",
                                    "{\"id\":\"" + id + "\",\"fields\":{\"n\":" + n + "}}");
                            if (r.statusCode() == 201) {
                                acknowledged.add(id);
                                lastSuccess.set(System.nanoTime());
                            } else if (r.statusCode() == 503
                                    && r.headers().firstValue("Retry-After").isPresent()) {
                                unavailable.incrementAndGet();
                                sleep(50);
                            } else {
                                unexpected.add(r.statusCode() + " " + r.body());
                            }
                        }
                    });
                    t.start();
                    writers.add(t);
                }
                sleep(1500);
                assertThat(acknowledged).as("writes before the failover").isNotEmpty();
                cluster.stopPrimary();
                long stopped = System.nanoTime();
                standby.promote();
                long deadline = stopped + Duration.ofSeconds(10).toNanos();
                while (lastSuccess.get() < stopped + Duration.ofMillis(1).toNanos()) {
                    assertThat(System.nanoTime())
                            .as("an insert succeeds within 10 s of the primary stopping")
                            .isLessThan(deadline);
                    sleep(20);
                }
                long resumedMillis = (lastSuccess.get() - stopped) / 1_000_000;
                sleep(1000);
                running.set(false);
                for (Thread t : writers) {
                    t.join(30_000);
                }
                System.out.printf(
                        "failover: writes resumed %d ms after the primary stopped; %d acknowledged, %d "
                                + "answered 503%n",
                        resumedMillis, acknowledged.size(), unavailable.get());
            }
            assertThat(unexpected)
                    .as("answers other than 201 and 503 with Retry-After")
                    .isEmpty();
            try (Connection c = DriverManager.getConnection(
                            "jdbc:postgresql://127.0.0.1:" + standby.port() + "/failover", "postgres", null);
                    ResultSet rows = c.createStatement().executeQuery("SELECT id FROM vc_events")) {
                Set<String> kept = new java.util.HashSet<>();
                while (rows.next()) {
                    kept.add(rows.getString(1));
                }
                assertThat(kept)
                        .as("every acknowledged insert is on the promoted standby")
                        .containsAll(acknowledged);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
