package dev.vellum.spi;

import java.util.Locale;

/** Byte counts as people read them, for the lines of operators' reports ({@code stats}, {@code maintain}). */
public final class ByteSizes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private ByteSizes() {}

    /** 1536 -> "1.5 KiB". */
    public static String format(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
