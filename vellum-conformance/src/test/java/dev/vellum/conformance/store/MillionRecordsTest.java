package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.DuplicateRecordException;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.RecordStore;
import dev.vellum.testkit.BackendTest;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;

/** A million records in one call: it works, and it is all or nothing. */
@Tag("slow")
class MillionRecordsTest {
    private static final int N = 1_000_000;

    private static Stream<NewRecord> records(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> NewRecord.of(String.format("k%07d", i), Map.of("i", i)));
    }

    // the shipped backends only: a plugin backend in memory would repeat the memory run at a minute's cost
    @BackendTest({"memory", "sqlite", "postgres"})
    void aMillionRecordsInOneBatchAllOrNothing(RecordStore store) {
        Collection c = store.collection("big");
        assertThat(c.insertMany(records(0, N))).isEqualTo(N);
        assertThat(c.count()).isEqualTo(N);
        assertThat(c.count(Filter.gte("i", N - 10))).isEqualTo(10);

        // a second million whose very last record collides: none of it stays
        Stream<NewRecord> collides = Stream.concat(records(N, 2 * N - 1), records(0, 1));
        assertThatThrownBy(() -> c.insertMany(collides)).isInstanceOf(DuplicateRecordException.class);
        assertThat(c.count()).isEqualTo(N);
        assertThat(c.get(String.format("k%07d", N))).isEmpty();

        // and a million upserts over them, in one call
        assertThat(c.upsertMany((Iterable<NewRecord>) records(0, N)::iterator)).isEqualTo(N);
        assertThat(c.count(Filter.eq("$version", 2))).isEqualTo(N);
    }
}
