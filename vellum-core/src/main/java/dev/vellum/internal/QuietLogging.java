package dev.vellum.internal;

import java.util.ServiceLoader;

/**
 * Vellum logs through SLF4J and leaves the choice of where to the application. An application without an SLF4J
 * provider gets no logging either way (SLF4J falls back to doing nothing), but SLF4J says so in three lines on the
 * console the first time anything logs: in a program that chose no logging that is noise, printed on its behalf. So
 * where no provider is on the class path and none is named, Vellum names SLF4J's own no-op provider, which is what
 * would have run anyway, minus the warning (and asks SLF4J not to announce that choice, unless told otherwise). An application with a provider (logback, slf4j-simple, Spring Boot) is not
 * touched.
 */
public final class QuietLogging {
    private static final String PROVIDER_PROPERTY = "slf4j.provider";
    /** SLF4J's own fallback, in slf4j-api itself. */
    private static final String NO_OP = "org.slf4j.helpers.NOP_FallbackServiceProvider";
    /** How much SLF4J says about itself: naming a provider is otherwise announced with a line of its own. */
    private static final String VERBOSITY_PROPERTY = "slf4j.internal.verbosity";

    private QuietLogging() {}

    /** Runs once per class loader, before Vellum's first log line. */
    public static void quietenMissingProvider() {
        Holder.DONE.hashCode();
    }

    private static final class Holder {
        static final Object DONE = apply();

        private static Object apply() {
            try {
                if (System.getProperty(PROVIDER_PROPERTY) == null
                        && !ServiceLoader.load(
                                        org.slf4j.spi.SLF4JServiceProvider.class, QuietLogging.class.getClassLoader())
                                .iterator()
                                .hasNext()) {
                    System.setProperty(PROVIDER_PROPERTY, NO_OP);
                    if (System.getProperty(VERBOSITY_PROPERTY) == null) {
                        System.setProperty(VERBOSITY_PROPERTY, "WARN");
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // a class path Vellum cannot read this way: SLF4J says what it says
            }
            return Boolean.TRUE;
        }
    }
}
