package dev.vellum.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.spi.JsonType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The value rules of docs/semantics.md in one place: types, equality, ordering and the canonical text of JSON values.
 * The memory backend evaluates with these; the SQL backends are tested to agree with them.
 */
public final class JsonValues {
    /**
     * Decimals are read as {@link BigDecimal} so that numbers round-trip as written, and written plainly
     * ({@code 100}, not {@code 1E+2}).
     */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // exactly one JSON value per document: '{"a":1}}' or two objects in a row are malformed, not the first
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            // Java values in maps and updates: java.time as ISO-8601 text and Optional, as typed collections write them
            .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .addModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .nodeFactory(new JsonNodeFactory(true)) // decimals exactly as written: 1.10 stays 1.10
            .build();

    /*
     * The mapper itself stays private (an ObjectMapper can be reconfigured by whoever holds it); what is shared is
     * immutable: a node factory, a reader and a writer with the rules above.
     */

    /** Makes JSON trees whose decimals stay exact. */
    public static final JsonNodeFactory NODES = MAPPER.getNodeFactory();
    /** Reads JSON trees by the rules above. */
    public static final com.fasterxml.jackson.databind.ObjectReader READER = MAPPER.readerFor(JsonNode.class);
    /**
     * Reads JSON that comes from outside (request bodies, filters, NDJSON lines, archives): the rules above, and a key
     * given twice in one object is an error rather than the last one silently winning ({@code
     * {"$inc":{"n":1},"$inc":{"n":2}}}). Records read back from storage, which has none, skip the check.
     */
    public static final com.fasterxml.jackson.databind.ObjectReader INPUT_READER =
            READER.with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** Writes Java values and trees by the rules above. */
    public static final com.fasterxml.jackson.databind.ObjectWriter WRITER = MAPPER.writer();

    /** {@link JsonType}'s ranks as constants, for switches; missing and null last. */
    public static final int NUMBER = 1;

    public static final int STRING = 2;
    public static final int BOOLEAN = 3;
    public static final int ARRAY = 4;
    public static final int OBJECT = 5;
    public static final int ABSENT = 6;

    private JsonValues() {}

    public static JsonNode parse(String json) {
        if (json.length() == 2 && json.equals("{}")) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = READER.readValue(json);
            return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(reason(e), e);
        }
    }

    /**
     * Parses JSON that comes from outside ({@link #INPUT_READER}: duplicate keys refused); an error says what is wrong
     * and where, in words (see {@link #reason}).
     */
    public static JsonNode parseInput(String json) {
        try {
            JsonNode node = INPUT_READER.readValue(json);
            return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(reason(e), e);
        }
    }

    /**
     * What is wrong with JSON text, for a person: the parser's finding without its Java vocabulary (feature names,
     * character codes, source excerpts), and where it is.
     */
    public static String reason(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        int nl = message.indexOf('\n');
        message = (nl < 0 ? message : message.substring(0, nl))
                .replace("(''' (code 39))", "(a single quote)")
                .replace("((CTRL-CHAR, code ", "(a control character (code ")
                .replaceAll(" \\(code \\d+\\)", "")
                .replaceAll(":\\s*enable `[^`]*` to allow", "")
                .replaceAll("\\s*\\(not recognized as one since Feature '\\w+' not enabled for parser\\)", "")
                .replaceAll("\\s*\\((start marker|for \\w+ starting) at .*$", "")
                .replace(" (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", " a JSON value")
                .replace("Duplicate field ", "Duplicate key ")
                // Jackson names its own types and features here: none of that is for the reader
                .replaceAll("\\s*\\(bound as `[^`]*`\\)", "")
                .replaceAll(":?\\s*not allowed as per `[^`]*`", "")
                .replaceAll("\\s*\\(of type [A-Z_]+\\)", "")
                .replace("Trailing token found after value", "Text follows the JSON value (one value per document)");
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1
                ? message
                : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /**
     * Parses UTF-8 JSON text as the driver received it: Jackson's byte parser skips the decode into a String, which
     * is most of what reading a page of records costs on the client.
     */
    public static JsonNode parse(byte[] utf8, int offset) {
        if (utf8.length - offset == 2 && utf8[offset] == '{' && utf8[offset + 1] == '}') {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = READER.readValue(utf8, offset, utf8.length - offset);
            return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(reason(e), e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // reading from memory
        }
    }

    /** A Java value (maps, lists, numbers, strings, beans) as a JSON tree. */
    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A tree as plain Java values (maps in member order, lists, strings, booleans, numbers, null), which every JSON
     * library writes as the same JSON: Vellum's types hand these to a foreign mapper (Jackson 3 in Spring Boot 4,
     * an application's own Jackson 2 mapper), which cannot be relied on to know Jackson 2's tree nodes. An integral
     * decimal becomes a {@link java.math.BigInteger}, so {@code 1500} is not written as {@code 1.5E+3}.
     */
    public static Object toJava(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> members = new java.util.LinkedHashMap<>(node.size() * 2);
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                members.put(member.getKey(), toJava(member.getValue()));
            }
            return members;
        }
        if (node.isArray()) {
            List<Object> elements = new ArrayList<>(node.size());
            node.forEach(element -> elements.add(toJava(element)));
            return elements;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isBigDecimal()) {
            BigDecimal decimal = node.decimalValue();
            return decimal.scale() <= 0 ? decimal.toBigIntegerExact() : decimal;
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return node.asText(); // binary or POJO nodes do not occur in records; their text is the best rendering
    }

    /** An object as plain Java values ({@link #toJava}). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toJavaMap(ObjectNode object) {
        return (Map<String, Object>) toJava(object);
    }

    /** True for Java null, a missing node and JSON null: the semantics treat them alike. */
    public static boolean isAbsent(JsonNode value) {
        return value == null || value.isMissingNode() || value.isNull();
    }

    /** The sort rank of a value's type ({@link JsonType#rank}), {@link #ABSENT} for missing and null. */
    public static int rank(JsonNode value) {
        JsonType type = JsonType.of(value);
        return type == null ? ABSENT : type.rank();
    }

    public static BigDecimal number(JsonNode value) {
        if (value.isBigDecimal()) {
            return value.decimalValue();
        }
        if (value.isIntegralNumber()) {
            return new BigDecimal(value.bigIntegerValue());
        }
        return BigDecimal.valueOf(value.doubleValue());
    }

    /** Strings by Unicode code point, which is UTF-8 byte order and SQL's binary collation. */
    public static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /**
     * Equality of two present values: numbers by value ({@code 10 == 10.0}), no equality across types, arrays by
     * element, objects by key regardless of order.
     */
    public static boolean equal(JsonNode a, JsonNode b) {
        if (isAbsent(a) || isAbsent(b)) {
            return isAbsent(a) && isAbsent(b);
        }
        int rank = rank(a);
        if (rank != rank(b)) {
            return false;
        }
        switch (rank) {
            case NUMBER:
                return number(a).compareTo(number(b)) == 0;
            case STRING:
                return a.textValue().equals(b.textValue());
            case BOOLEAN:
                return a.booleanValue() == b.booleanValue();
            case ARRAY:
                if (a.size() != b.size()) {
                    return false;
                }
                for (int i = 0; i < a.size(); i++) {
                    if (!equalElement(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            default:
                if (a.size() != b.size()) {
                    return false;
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = a.properties().iterator(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode other = b.get(e.getKey());
                    if (other == null || !equalElement(e.getValue(), other)) {
                        return false;
                    }
                }
                return true;
        }
    }

    /** Inside arrays and objects a JSON null is a value like any other and equals only null. */
    public static boolean equalElement(JsonNode a, JsonNode b) {
        if (a.isNull() || b.isNull()) {
            return a.isNull() && b.isNull();
        }
        return equal(a, b);
    }

    /**
     * Orders two values of the same rank: numbers by value, strings by code point, false before true, arrays and
     * objects by their {@link #canonical canonical text}.
     */
    public static int compareSameRank(JsonNode a, JsonNode b) {
        return switch (rank(a)) {
            case NUMBER -> number(a).compareTo(number(b));
            case STRING -> compareStrings(a.textValue(), b.textValue());
            case BOOLEAN -> Boolean.compare(a.booleanValue(), b.booleanValue());
            case ARRAY, OBJECT -> compareStrings(canonical(a), canonical(b));
            default -> 0;
        };
    }

    /** Two present values in sort order: type rank (numbers, strings, booleans, arrays, objects), then value. */
    public static int compareInSortOrder(JsonNode a, JsonNode b) {
        int byRank = Integer.compare(rank(a), rank(b));
        return byRank != 0 ? byRank : compareSameRank(a, b);
    }

    /**
     * A canonical JSON text: object keys sorted by code point, no spaces, numbers without trailing zeros and never
     * in exponent form, strings escaped as PostgreSQL escapes them. Equal values have equal canonical texts; the SQL
     * backends compute the same text (a SQLite function, a PostgreSQL function) to sort arrays and objects.
     */
    public static String canonical(JsonNode value) {
        StringBuilder out = new StringBuilder();
        canonical(value, out);
        return out.toString();
    }

    private static void canonical(JsonNode value, StringBuilder out) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            out.append("null");
        } else if (value.isNumber()) {
            out.append(plain(number(value)));
        } else if (value.isTextual()) {
            quote(value.textValue(), out);
        } else if (value.isBoolean()) {
            out.append(value.booleanValue());
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                canonical(value.get(i), out);
            }
            out.append(']');
        } else {
            List<String> keys = new ArrayList<>();
            value.fieldNames().forEachRemaining(keys::add);
            keys.sort(JsonValues::compareStrings);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                quote(keys.get(i), out);
                out.append(':');
                canonical(value.get(keys.get(i)), out);
            }
            out.append('}');
        }
    }

    /**
     * The number as {@code parse(plain(number))} reads it back (an int, long or big integer node when integral, else
     * the decimal without trailing zeros), without writing and parsing text: aggregations make one per group.
     */
    public static JsonNode canonicalNumber(BigDecimal number) {
        if (number.signum() == 0) {
            return NODES.numberNode(0);
        }
        BigDecimal stripped = number.stripTrailingZeros();
        if (stripped.scale() > 0) {
            return NODES.numberNode(stripped);
        }
        java.math.BigInteger integral = stripped.toBigIntegerExact();
        int bits = integral.bitLength();
        return bits < 32
                ? NODES.numberNode(integral.intValue())
                : bits < 64 ? NODES.numberNode(integral.longValue()) : NODES.numberNode(integral);
    }

    /** {@code 1.50} → {@code 1.5}, {@code 1E+2} → {@code 100}, {@code -0} → {@code 0}. */
    public static String plain(BigDecimal number) {
        if (number.signum() == 0) {
            return "0";
        }
        return number.stripTrailingZeros().toPlainString();
    }

    /** JSON string escaping exactly as PostgreSQL's {@code escape_json} does it. */
    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The value at a path of keys, or null when the path is missing or runs through a non-object. */
    public static JsonNode at(JsonNode root, List<String> keys) {
        JsonNode node = root;
        for (String key : keys) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(key);
        }
        return node;
    }

    /** RFC 7386 JSON merge patch, returning a new value; neither argument is changed. */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch == null ? null : patch.deepCopy();
        }
        ObjectNode result =
                target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : MAPPER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /**
     * Case folding for {@code ilike}: Unicode simple case mapping, upper then lower, code point by code point, as Java
     * 17's tables have it, frozen in {@code case-folding.txt} so that every backend folds alike on any JVM.
     */
    public static String fold(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(CaseFolding.fold(cp)));
        return out.toString();
    }
}
