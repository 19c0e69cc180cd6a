package dev.vellum.sqlite;

import dev.vellum.internal.JsonValues;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The exact sum of JSON numbers, read as SQLite hands them to {@code vellum_sum}: UTF-8 bytes. Reading a value as a
 * Java string and parsing a {@code BigDecimal} from it cost more than the rest of a small aggregation together, so a
 * plain decimal of up to 18 digits (the usual number) is read from its bytes into a {@code long} of units and added
 * at the largest scale seen so far; anything else (an exponent, more digits, a total past 64 bits) goes through
 * {@code BigDecimal}. The total is {@code BigDecimal}'s own: its scale is the largest of the values'.
 */
final class DecimalSum {
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private long units;
    private int scale;
    /** What did not fit {@link #units}, or null. */
    private BigDecimal spilled;

    private boolean any;

    /** Adds the value when the JSON text is a number; a string, boolean, null, array or object adds nothing. */
    void add(byte[] json) {
        if (json == null || json.length == 0) {
            return;
        }
        boolean negative = json[0] == '-';
        if (!negative && (json[0] < '0' || json[0] > '9')) {
            return;
        }
        long value = 0;
        int digits = 0;
        int valueScale = -1; // digits after the point; -1 before one is seen
        for (int i = negative ? 1 : 0; i < json.length; i++) {
            byte b = json[i];
            if (b >= '0' && b <= '9' && digits < 18) {
                value = value * 10 + (b - '0');
                digits++;
                if (valueScale >= 0) {
                    valueScale++;
                }
            } else if (b == '.' && valueScale < 0) {
                valueScale = 0;
            } else {
                addDecimal(number(new String(json, StandardCharsets.UTF_8))); // an exponent, or a 19th digit
                return;
            }
        }
        addUnits(negative ? -value : value, Math.max(valueScale, 0));
    }

    private void addUnits(long value, int valueScale) {
        any = true;
        try {
            long total = units;
            long added = value;
            int totalScale = scale;
            if (valueScale > totalScale) {
                total = Math.multiplyExact(total, POWERS_OF_TEN[valueScale - totalScale]);
                totalScale = valueScale;
            } else if (valueScale < totalScale) {
                added = Math.multiplyExact(added, POWERS_OF_TEN[totalScale - valueScale]);
            }
            units = Math.addExact(total, added);
            scale = totalScale;
        } catch (ArithmeticException tooLarge) {
            addDecimal(BigDecimal.valueOf(value, valueScale));
        }
    }

    private void addDecimal(BigDecimal value) {
        any = true;
        spilled = spilled == null ? value : spilled.add(value);
    }

    /** A JSON number's text as a decimal. */
    static BigDecimal number(String text) {
        try {
            return new BigDecimal(text); // JSON's number grammar is BigDecimal's
        } catch (NumberFormatException e) {
            return JsonValues.number(JsonValues.parse(text)); // an exponent past BigDecimal's range
        }
    }

    /** The total, or null when no number was added. */
    BigDecimal total() {
        if (!any) {
            return null;
        }
        BigDecimal total = BigDecimal.valueOf(units, scale);
        return spilled == null ? total : spilled.add(total);
    }
}
