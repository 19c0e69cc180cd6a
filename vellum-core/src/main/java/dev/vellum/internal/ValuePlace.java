package dev.vellum.internal;

/**
 * Where a value sits in what a caller gave ({@code fields.address.city}, {@code patch.tags[]}), spelled out only when
 * a message needs it: checking a valid record visits every key and element, and naming each of them as text cost
 * more than the checks themselves.
 */
public final class ValuePlace {
    private final ValuePlace parent;
    /** The root's text, a key, or null for an array's element. */
    private final String name;

    private ValuePlace(ValuePlace parent, String name) {
        this.parent = parent;
        this.name = name;
    }

    public static ValuePlace of(String text) {
        return new ValuePlace(null, text);
    }

    public ValuePlace key(String key) {
        return new ValuePlace(this, key);
    }

    public ValuePlace element() {
        return new ValuePlace(this, null);
    }

    @Override
    public String toString() {
        if (parent == null) {
            return name;
        }
        return parent + (name == null ? "[]" : "." + Messages.abbreviate(name));
    }
}
