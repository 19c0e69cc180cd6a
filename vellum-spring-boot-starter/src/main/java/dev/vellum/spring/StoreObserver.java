package dev.vellum.spring;

import java.util.concurrent.Callable;

/** Times and traces one store operation (see {@link ObservedStore}). */
interface StoreObserver {

    /**
     * Runs the operation inside an observation named for it.
     *
     * @param backend    the store's backend ({@code sqlite}, {@code postgres}, {@code memory})
     * @param collection the collection it works on, or null for a store-wide one ({@code collections})
     */
    <T> T observe(String backend, String operation, String collection, Callable<T> work) throws Exception;
}
