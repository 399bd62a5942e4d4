package io.switchboard.accesslog.impl;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A timestamp's text down to the second, in a zone and a pattern, made once per second: entries of
 * the same second (thousands under load) reuse it, and only the milliseconds are appended.
 */
final class SecondText {
    private final DateTimeFormatter pattern;
    private long second = Long.MIN_VALUE;
    private String text;

    SecondText(String pattern, ZoneId zone) {
        this.pattern = DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(zone);
    }

    /** The text of the second that {@code epochMillis} falls in. */
    String of(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            text = pattern.format(Instant.ofEpochSecond(s));
            second = s;
        }
        return text;
    }

    /** Appends the milliseconds of {@code epochMillis} as three digits. */
    static void millis(StringBuilder out, long epochMillis) {
        int ms = (int) Math.floorMod(epochMillis, 1000);
        out.append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10)).append((char) ('0' + ms % 10));
    }
}
