package dev.vellum.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Record timestamps: UTC, millisecond precision, ISO-8601 with exactly three fraction digits on the wire, so that
 * their text order is their time order.
 */
public final class Timestamps {
    public static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * The instant to the millisecond, Vellum's one precision on every backend: earlier by what finer digits it had
     * (so {@code 12:00:00.9999} is {@code 12:00:00.999}, and text order stays time order).
     */
    public static Instant toMillis(Instant instant) {
        return instant.getNano() % 1_000_000 == 0 ? instant : instant.truncatedTo(ChronoUnit.MILLIS);
    }

    /** Years 1 to 9999 digit by digit (the general formatter costs more than reading a small record); others by it. */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_FAST || seconds > LAST_FAST) {
            return ISO_MILLIS.format(instant);
        }
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(seconds, instant.getNano(), ZoneOffset.UTC);
        char[] out = new char[24];
        digits(out, 0, t.getYear(), 4);
        out[4] = '-';
        digits(out, 5, t.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, t.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, t.getHour(), 2);
        out[13] = ':';
        digits(out, 14, t.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, t.getSecond(), 2);
        out[19] = '.';
        digits(out, 20, t.getNano() / 1_000_000, 3);
        out[23] = 'Z';
        return new String(out);
    }

    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
    private static final long FIRST_FAST = -62_135_596_800L;

    private static final long LAST_FAST = 253_402_300_799L;

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    public static Instant parse(String text) {
        Instant fast = parseStored(text);
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * Parses the ISO forms databases return — {@code 2026-11-21T23:23:28.123Z} (SQLite, the wire) and
     * {@code 2026-11-21 23:23:28.123+00} (PostgreSQL) — without the general parser, which dominates the cost of
     * reading small records. Any fraction length; zone {@code Z} or {@code ±HH[:MM]}. Null for anything else.
     */
    public static Instant parseStored(String t) {
        if (t == null
                || t.length() < 20
                || t.charAt(4) != '-'
                || t.charAt(7) != '-'
                || (t.charAt(10) != 'T' && t.charAt(10) != ' ')
                || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return null;
        }
        int i = 19;
        long nanos = 0;
        if (t.charAt(i) == '.') {
            int count = 0;
            for (i++; i < t.length() && Character.isDigit(t.charAt(i)); i++) {
                if (count++ < 9) {
                    nanos = nanos * 10 + (t.charAt(i) - '0');
                }
            }
            for (; count < 9; count++) {
                nanos *= 10;
            }
        }
        long offsetSeconds;
        if (i == t.length() - 1 && t.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i + 3 <= t.length() && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            int hours = digits(t, i + 1, i + 3);
            int minutes = 0;
            if (i + 3 != t.length()) {
                if (t.length() != i + 6 || t.charAt(i + 3) != ':') {
                    return null;
                }
                minutes = digits(t, i + 4, i + 6);
            }
            if ((hours | minutes) < 0) {
                return null;
            }
            offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (hours * 3_600L + minutes * 60L);
        } else {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        try {
            long days = java.time.LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second - offsetSeconds, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int d = t.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
