package io.switchboard.agent.impl;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a request's execution time in its access-log line: the first group of a configured regex,
 * or by default the last whitespace-separated field (where nginx's {@code $request_time} usually
 * goes), read as a number in the configured unit.
 */
final class ExecutionTimeField {
    private final Pattern pattern;
    private final double millisPerUnit;

    /**
     * @param pattern       a regex with exactly one group, or null for the last field
     * @param millisPerUnit 1000 for seconds, 1 for milliseconds, 0.001 for microseconds
     */
    ExecutionTimeField(Pattern pattern, double millisPerUnit) {
        this.pattern = pattern;
        this.millisPerUnit = millisPerUnit;
    }

    /** The execution time in milliseconds, or null when the line has none that parses. */
    Double millis(CharSequence line) {
        String value;
        if (pattern != null) {
            Matcher m = pattern.matcher(line);
            if (!m.find() || m.group(1) == null) {
                return null;
            }
            value = m.group(1);
        } else {
            String s = line.toString().strip();
            value = s.substring(s.lastIndexOf(' ') + 1);
            value = value.substring(value.lastIndexOf('\t') + 1);
        }
        try {
            double v = Double.parseDouble(value.strip());
            // "-" (no upstream), negative or NaN values are not times.
            return Double.isFinite(v) && v >= 0 ? v * millisPerUnit : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
