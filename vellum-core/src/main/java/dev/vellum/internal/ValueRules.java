package dev.vellum.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * What every backend can store and read back exactly, checked before any SQL runs, so that a value one backend
 * accepts every backend accepts (see docs/semantics.md, "Values and types"):
 * <ul>
 *   <li>no NUL character (PostgreSQL cannot store it) and no lone UTF-16 surrogate (no UTF-8 text can hold it) in
 *       any string or key;</li>
 *   <li>numbers finite, zero or of a magnitude a double can hold (4.9e-324 to 1.7976931348623157e308), with at most
 *       {@value #MAX_DIGITS} significant digits: PostgreSQL's numeric would store more, but its text form would then
 *       pass the length a JSON reader accepts, and the record could not be read again.</li>
 * </ul>
 */
public final class ValueRules {
    /** Longest field key (and key of a path), in characters. */
    public static final int MAX_KEY_LENGTH = 1024;
    /** Most significant digits of a number. */
    public static final int MAX_DIGITS = 100;

    private static final BigDecimal LARGEST = BigDecimal.valueOf(Double.MAX_VALUE);
    private static final BigDecimal SMALLEST = BigDecimal.valueOf(Double.MIN_VALUE);

    private ValueRules() {}

    /** What is wrong with a string, or null when every backend stores it as it is. */
    public static String problemInString(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "contains the NUL character, which cannot be stored";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one code point
            } else if (Character.isSurrogate(c)) {
                return "contains a lone UTF-16 surrogate (\\u" + Integer.toHexString(c) + "), which is not Unicode "
                        + "text";
            }
        }
        return null;
    }

    /** What is wrong with a number, or null when every backend stores and reads it back exactly. */
    public static String problemInNumber(JsonNode number) {
        if (number.isIntegralNumber() && number.canConvertToLong()) {
            return null;
        }
        if (number.isDouble() || number.isFloat()) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return "is " + d + ", which JSON cannot hold";
            }
            return null;
        }
        BigDecimal value = JsonValues.number(number).abs();
        if (value.signum() == 0) {
            return null;
        }
        if (value.compareTo(LARGEST) > 0 || value.compareTo(SMALLEST) < 0) {
            return "is " + shortText(number) + ", outside the range Vellum stores (zero, or a magnitude from "
                    + "4.9e-324 to 1.7976931348623157e308)";
        }
        int digits = value.stripTrailingZeros().precision();
        if (digits > MAX_DIGITS) {
            return "has " + digits + " significant digits; at most " + MAX_DIGITS + " are stored";
        }
        return null;
    }

    /** The first problem anywhere in a value (strings, keys, numbers), with where it is, or null. */
    public static String problemIn(JsonNode node, String where) {
        return problemIn(node, ValuePlace.of(where));
    }

    /** {@link #problemIn(JsonNode, String)} for a value inside a larger one. */
    public static String problemIn(JsonNode node, ValuePlace where) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String p = problemInString(node.textValue());
            return p == null ? null : "A string in " + where + " " + p;
        }
        if (node.isNumber()) {
            String p = problemInNumber(node);
            return p == null ? null : "A number in " + where + " " + p;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = problemInString(e.getKey());
                if (p != null) {
                    return "A key in " + where + " " + p;
                }
                p = problemIn(e.getValue(), where.key(e.getKey()));
                if (p != null) {
                    return p;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                String p = problemIn(element, where.element());
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String shortText(JsonNode number) {
        String text = number.asText();
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
