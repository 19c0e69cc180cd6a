package dev.vellum.testkit;

import dev.vellum.RecordStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds every write to one collection until closed, the way a slow writer would: on PostgreSQL a transaction with an
 * EXCLUSIVE table lock (reads still run), elsewhere a store transaction (the SQLite writer lock, the memory store's
 * lock). For tests of what happens to writes queued behind it.
 */
public final class WriteBlocker implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Void> holder;

    private WriteBlocker(RecordStore store, TestBackend backend, String collection) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Runnable hold = () -> {
            holding.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        holder = CompletableFuture.runAsync(() -> {
            if (backend.name().equals("postgres")) {
                store.database().orElseThrow().useTransaction(tx -> {
                    tx.execute("LOCK TABLE vc_" + collection + " IN EXCLUSIVE MODE");
                    hold.run();
                });
            } else {
                store.useTransaction(tx -> hold.run());
            }
        });
        if (!holding.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the blocking writer did not start");
        }
    }

    /** Starts holding the collection's writes (its tables must exist). */
    public static WriteBlocker hold(RecordStore store, TestBackend backend, String collection)
            throws InterruptedException {
        return new WriteBlocker(store, backend, collection);
    }

    /** Lets go and waits until the holder's transaction has ended. */
    @Override
    public void close() throws Exception {
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
    }
}
