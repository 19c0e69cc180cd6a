package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.testkit.Gen;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seeded generators the fuzzers stand on: one seed, one case; shrinking finds a small failing case. */
class GenTest {
    @Test
    void oneSeedGivesOneCase() {
        long seed = Gen.caseSeed(42, 3);
        assertThat(sample(new Gen(seed))).isEqualTo(sample(new Gen(seed)));
        assertThat(sample(new Gen(Gen.caseSeed(42, 4)))).isNotEqualTo(sample(new Gen(seed)));
    }

    @Test
    void shrinkingKeepsOnlyWhatMakesTheCaseFail() {
        List<Integer> failing = List.of(4, 8, 15, 16, 23, 42, 7, 99);
        List<Integer> smallest = Gen.shrink(
                failing,
                list -> {
                    List<List<Integer>> smaller = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) {
                        List<Integer> fewer = new ArrayList<>(list);
                        fewer.remove(i);
                        smaller.add(fewer);
                    }
                    return smaller;
                },
                list -> list.contains(7) && list.contains(42));
        assertThat(smallest).containsExactly(42, 7);
    }

    private static List<Object> sample(Gen g) {
        return List.of(
                g.between(0, 1000),
                g.of("a", "b", "c"),
                g.list(0, 5, () -> g.between(0, 9)),
                g.<String>frequency(
                        1, (java.util.function.Supplier<String>) () -> "x", 3, (java.util.function.Supplier<String>)
                                () -> "y" + g.bool()));
    }
}
