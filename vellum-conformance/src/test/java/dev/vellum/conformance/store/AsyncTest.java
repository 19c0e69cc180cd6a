package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.AsyncRecordStore;
import dev.vellum.DuplicateRecordException;
import dev.vellum.Filter;
import dev.vellum.RecordStore;
import dev.vellum.testkit.StoreTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

class AsyncTest {

    @StoreTest
    void operationsCompleteOnTheExecutorAndFailuresComeThrough(RecordStore store) {
        AsyncRecordStore.AsyncCollection users = store.async().collection("users");
        List<CompletableFuture<dev.vellum.Record>> writes = IntStream.range(0, 50)
                .mapToObj(i -> users.insert("u" + i, Map.of("i", i), null))
                .toList();
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        assertThat(users.count(Filter.gte("i", 25)).join()).isEqualTo(25);
        assertThatThrownBy(() -> users.insert("u1", Map.of(), null).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(DuplicateRecordException.class);

        ExecutorService mine = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "mine");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger onMine = new AtomicInteger();
        try {
            store.async(mine)
                    .collection("users")
                    .call(c -> {
                        if (Thread.currentThread().getName().equals("mine")) {
                            onMine.incrementAndGet();
                        }
                        return c.count();
                    })
                    .join();
        } finally {
            mine.shutdown();
        }
        assertThat(onMine.get()).isEqualTo(1);
    }
}
