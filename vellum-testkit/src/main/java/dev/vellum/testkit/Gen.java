package dev.vellum.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The project's own seeded generators for property and fuzz tests: a {@link Random} with the few combinators those
 * tests need. One seed reproduces a whole case; {@link #caseSeed} names the seed of each case of a run.
 */
public final class Gen {
    private final Random random;

    public Gen(long seed) {
        this.random = new Random(seed);
    }

    /** The base seed of a run: {@code -D<property>=S} replays one, otherwise a fresh one. */
    public static long baseSeed(String property) {
        return Long.getLong(property, System.nanoTime());
    }

    /** The seed of case {@code i} of a run: a case can be rerun alone from it. */
    public static long caseSeed(long baseSeed, int i) {
        return baseSeed * 6364136223846793005L + i * 1442695040888963407L;
    }

    public int between(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    public boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    @SafeVarargs
    public final <T> T of(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    public <T> T of(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** One of the generators, chosen with the given weights: {@code frequency(5, a, 1, b)}. */
    @SuppressWarnings("unchecked")
    public <T> T frequency(Object... weightsAndGenerators) {
        int total = 0;
        for (int i = 0; i < weightsAndGenerators.length; i += 2) {
            total += (Integer) weightsAndGenerators[i];
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weightsAndGenerators.length; i += 2) {
            pick -= (Integer) weightsAndGenerators[i];
            if (pick < 0) {
                return ((Supplier<T>) weightsAndGenerators[i + 1]).get();
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** A list of {@code min} to {@code max} elements. */
    public <T> List<T> list(int min, int max, Supplier<T> element) {
        int n = between(min, max);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.get());
        }
        return out;
    }

    /** The value, or null with the given probability. */
    public <T> T orNull(double probability, Supplier<T> value) {
        return chance(probability) ? null : value.get();
    }

    /**
     * Shrinks a failing case: tries each smaller candidate {@code smaller} offers, keeps the first that still fails,
     * and repeats until none does. Returns the smallest failing case found.
     */
    public static <T> T shrink(T failing, Function<T, List<T>> smaller, java.util.function.Predicate<T> fails) {
        T current = failing;
        boolean progress = true;
        for (int rounds = 0; progress && rounds < 1000; rounds++) {
            progress = false;
            for (T candidate : smaller.apply(current)) {
                boolean stillFails;
                try {
                    stillFails = fails.test(candidate);
                } catch (RuntimeException e) {
                    stillFails = false; // a candidate that breaks the harness is not a smaller failure
                }
                if (stillFails) {
                    current = candidate;
                    progress = true;
                    break;
                }
            }
        }
        return current;
    }
}
