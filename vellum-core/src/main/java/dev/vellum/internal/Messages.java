package dev.vellum.internal;

import java.util.Locale;

/** Text helpers for messages users see, shared by the API and the engine pieces. */
public final class Messages {
    private Messages() {
    }

    /** Text short enough to quote in a message: a client may send megabytes where a name is expected. */
    public static String abbreviate(String text) {
        if (text == null) {
            return null;
        }
        if (text.length() <= 80 && text.chars().noneMatch(c -> Character.isISOControl(c)
                || Character.isSurrogate((char) c))) {
            return text; // the common case: nothing to shorten or escape
        }
        String shown = text.length() <= 80 ? text : text.substring(0, 80) + "… (" + text.length() + " characters)";
        StringBuilder out = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < shown.length()
                    && Character.isLowSurrogate(shown.charAt(i + 1))) {
                out.append(c).append(shown.charAt(++i));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                // control characters and lone surrogates are shown as escapes, never passed on as they are
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
