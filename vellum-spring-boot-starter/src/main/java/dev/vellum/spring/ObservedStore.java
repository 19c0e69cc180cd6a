package dev.vellum.spring;

import dev.vellum.Collection;
import dev.vellum.RecordStore;
import dev.vellum.TypeMapper;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * The application's view of the store: every operation of the store and its collections observed (timed, and traced
 * where tracing is set up) by a {@link StoreObserver}, and typed collections mapped by the application's
 * {@link TypeMapper} when it has one. A dynamic proxy over the two interfaces, so that every method, present and
 * future, passes through; typed collections and transactions are built on the same interfaces, so their work is
 * observed too.
 */
final class ObservedStore {
    /** What is not an operation: names, and the feed handle (its reads are not store operations of this kind). */
    private static final Set<String> NOT_OPERATIONS = Set.of(
            "name",
            "toString",
            "hashCode",
            "equals",
            "changes",
            "changesEnabled",
            "backendName",
            "database",
            "close",
            "async",
            "consistencyToken",
            "readAfter");

    private ObservedStore() {}

    static RecordStore wrap(RecordStore store, StoreObserver observer, TypeMapper mapper) {
        if (observer == null && mapper == null) {
            return store;
        }
        return (RecordStore) Proxy.newProxyInstance(
                ObservedStore.class.getClassLoader(),
                new Class<?>[] {RecordStore.class},
                new StoreHandler(store, observer, mapper));
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class StoreHandler implements InvocationHandler {
        private final RecordStore store;
        private final StoreObserver observer;
        private final TypeMapper mapper;
        private final java.util.Map<Method, Boolean> inherited = new java.util.concurrent.ConcurrentHashMap<>();

        StoreHandler(RecordStore store, StoreObserver observer, TypeMapper mapper) {
            this.store = store;
            this.observer = observer;
            this.mapper = mapper;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("collection") && args.length == 1) {
                Collection collection = store.collection((String) args[0]);
                return observer == null
                        ? collection
                        : Proxy.newProxyInstance(
                                ObservedStore.class.getClassLoader(),
                                new Class<?>[] {Collection.class},
                                new CollectionHandler(collection, observer, store.backendName()));
            }
            if (name.equals("collection") && args.length == 2 && mapper != null) {
                return ((RecordStore) proxy).collection((String) args[0], (Class<?>) args[1], mapper);
            }
            if (inheritsDefault(method)) {
                // built on the interface's other methods, which pass through here: typed collections, async
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if ((name.equals("inTransaction") || name.equals("inSnapshot")) && args.length == 1) {
                RecordStore.Work<?, ?> work = (RecordStore.Work<?, ?>) args[0];
                RecordStore.Work<Object, Exception> seen = tx -> work.run(wrap(tx, observer, mapper));
                return call(store, method, new Object[] {seen});
            }
            if (observer == null || NOT_OPERATIONS.contains(name)) {
                return call(store, method, args);
            }
            String collection = name.equals("dropCollection") ? (String) args[0] : null;
            return observer.observe(store.backendName(), name, collection, () -> callChecked(store, method, args));
        }

        /** A default method the store does not override (one it overrides, such as changes(), is its own). */
        private boolean inheritsDefault(Method method) {
            return method.isDefault()
                    && inherited.computeIfAbsent(method, m -> {
                        try {
                            return store.getClass()
                                    .getMethod(m.getName(), m.getParameterTypes())
                                    .isDefault();
                        } catch (NoSuchMethodException e) {
                            return false;
                        }
                    });
        }
    }

    private static final class CollectionHandler implements InvocationHandler {
        private final Collection collection;
        private final StoreObserver observer;
        private final String backend;

        CollectionHandler(Collection collection, StoreObserver observer, String backend) {
            this.collection = collection;
            this.observer = observer;
            this.backend = backend;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (NOT_OPERATIONS.contains(method.getName())) {
                return call(collection, method, args);
            }
            return observer.observe(
                    backend, method.getName(), collection.name(), () -> callChecked(collection, method, args));
        }
    }

    /** {@link #call} for a {@link java.util.concurrent.Callable}: what it threw, as it threw it. */
    private static Object callChecked(Object target, Method method, Object[] args) throws Exception {
        try {
            return call(target, method, args);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
