package dev.vellum.conformance.store;

import static dev.vellum.conformance.store.TransferTest.assertSame;
import static dev.vellum.conformance.store.TransferTest.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.IndexInfo;
import dev.vellum.NewRecord;
import dev.vellum.RecordStore;
import dev.vellum.TransferException;
import dev.vellum.Vellum;
import dev.vellum.ops.Backup;
import dev.vellum.ops.Transfer;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresExtension;
import dev.vellum.testkit.StoreTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Backups from every backend restore into every backend; damaged archives are refused and change nothing. */
@ExtendWith(PostgresExtension.class)
class BackupTest {
    @TempDir
    Path dir;

    private static void fill(RecordStore store) {
        Collection people = store.collection("people");
        people.insertMany(IntStream.range(0, 3_000)
                .mapToObj(i -> new NewRecord(
                        String.format("p%05d", i), shape(i), i % 4 == 0 ? Map.of("source", "backup") : null)));
        people.patch("p00001", Map.of("patched", true));
        people.createIndex("by_city", List.of("address.city"), false);
        people.enableChanges();
        store.collection("notes").insert("n1", Map.of("text", "héllo"), null);
    }

    @StoreTest
    void restoresIntoEveryBackend(RecordStore source, PostgresTarget pg) throws IOException {
        fill(source);
        Path archive = dir.resolve("backup.vbk.gz");
        Backup.Summary written = Backup.create(source, archive);
        assertThat(written.counts()).containsExactly(Map.entry("notes", 1L), Map.entry("people", 3_000L));
        assertThat(Backup.check(archive).counts()).isEqualTo(written.counts());

        try (RecordStore memory = Vellum.open("memory:");
                RecordStore sqlite = Vellum.open("sqlite:" + dir.resolve("restored.db"));
                RecordStore postgres = Vellum.open(pg.toUrlWithCredentials())) {
            postgres.collections().forEach(postgres::dropCollection); // shared by this class's tests
            postgres.collection("people").disableChanges(); // a feed outlives a drop: start as a fresh database
            for (RecordStore target : List.of(memory, sqlite, postgres)) {
                String before = target.changes().now();
                Backup.restore(archive, target, Transfer.Mode.NEW);
                assertSame(source.collection("people"), target.collection("people"));
                assertSame(source.collection("notes"), target.collection("notes"));
                assertThat(target.collection("people").indexes())
                        .containsExactly(new IndexInfo("by_city", List.of("address.city"), false));
                assertThat(target.collection("people").changesEnabled()).isTrue();
                assertThat(target.collection("notes").changesEnabled()).isFalse();
                // the feed is enabled after the records: a restore is not 3,000 changes
                assertThat(target.changes().poll(before, 10).changes()).isEmpty();
                assertThatThrownBy(() -> Backup.restore(archive, target, Transfer.Mode.NEW))
                        .isInstanceOf(TransferException.class)
                        .hasMessageContaining("Mode.MERGE");
                target.collection("notes").delete("n1");
                Backup.restore(archive, target, Transfer.Mode.MERGE);
                assertSame(source.collection("notes"), target.collection("notes"));
                target.collection("people").patch("p00002", Map.of("local", 1));
                Backup.restore(archive, target, Transfer.Mode.REPLACE);
                assertSame(source.collection("people"), target.collection("people"));
            }
        }
    }

    @Test
    void truncatedFlippedOrAlteredArchivesAreRefusedAndChangeNothing() throws IOException {
        Path archive = dir.resolve("good.vbk.gz");
        try (RecordStore source = Vellum.open("memory:")) {
            fill(source);
            Backup.create(source, archive);
        }
        byte[] good = Files.readAllBytes(archive);
        try (RecordStore target = Vellum.open("sqlite:" + dir.resolve("target.db"))) {
            for (int cut : new int[] {5, 40, good.length / 3, good.length / 2, good.length - 30, good.length - 1}) {
                Path truncated = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(good, cut));
                assertRefused(truncated, target, "Nothing was restored");
            }
            for (int at : new int[] {12, good.length / 4, good.length / 2, good.length - 12}) {
                byte[] flipped = good.clone();
                flipped[at] ^= 0x04;
                assertRefused(Files.write(dir.resolve("flip.gz"), flipped), target, "damaged");
            }
            // a valid gzip whose content was edited: the collection's checksum names it
            String text = gunzip(good).replace("\"text\":\"héllo\"", "\"text\":\"hello\"");
            Path altered = Files.write(dir.resolve("altered.gz"), gzip(text));
            assertRefused(altered, target, "collection 'notes'");
            // a record dropped, with its count fixed up: the checksum still catches it
            String dropped = gunzip(good)
                    .replaceFirst("\\{\"id\":\"p00005\"[^\\n]*\\n", "")
                    .replace("\"end\":\"people\",\"count\":3000", "\"end\":\"people\",\"count\":2999");
            assertRefused(Files.write(dir.resolve("dropped.gz"), gzip(dropped)), target, "people");
            assertRefused(dir.resolve("missing.gz"), target, "does not exist");
            assertThat(target.collections()).isEmpty();
        }
    }

    private static void assertRefused(Path archive, RecordStore target, String message) {
        assertThatThrownBy(() -> Backup.restore(archive, target, Transfer.Mode.REPLACE))
                .isInstanceOf(TransferException.class)
                .hasMessageContaining(message);
        assertThat(target.collections()).isEmpty();
    }

    private static String gunzip(byte[] data) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
