package dev.vellum.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The folding {@code ilike} compares with, read from {@code case-folding.txt}: the code points that fold to another
 * one (sorted) and what they fold to. The running JVM's own tables are not used: a newer Unicode version would fold a
 * few code points differently from the table PostgreSQL's migrations hold.
 */
final class CaseFolding {
    private static final int[] FROM;
    private static final int[] TO;

    static {
        int[][] table = load();
        FROM = table[0];
        TO = table[1];
    }

    private CaseFolding() {}

    static int fold(int cp) {
        if (cp < 0x80) {
            return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
        }
        int at = Arrays.binarySearch(FROM, cp);
        return at >= 0 ? TO[at] : cp;
    }

    private static int[][] load() {
        try (InputStream in = CaseFolding.class.getResourceAsStream("case-folding.txt")) {
            if (in == null) {
                throw new IllegalStateException("case-folding.txt is missing from vellum-core");
            }
            int[] from = new int[2048];
            int[] to = new int[2048];
            int n = 0;
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.indexOf(' ');
                from[n] = Integer.parseInt(line.substring(0, space), 16);
                to[n] = Integer.parseInt(line.substring(space + 1).trim(), 16);
                n++;
            }
            return new int[][] {Arrays.copyOf(from, n), Arrays.copyOf(to, n)};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
