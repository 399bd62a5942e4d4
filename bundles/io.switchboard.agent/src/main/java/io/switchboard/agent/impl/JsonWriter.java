package io.switchboard.agent.impl;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Writes one flat JSON object on one line. Hand-written so that the agent needs nothing but the JDK;
 * a null value leaves its field out, and so does a number that is not finite (JSON has no NaN).
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder("{");

    JsonWriter field(String name, String value) {
        if (value != null) {
            name(name);
            string(value);
        }
        return this;
    }

    JsonWriter field(String name, Long value) {
        if (value != null) {
            name(name);
            out.append(value.longValue());
        }
        return this;
    }

    JsonWriter field(String name, Integer value) {
        return field(name, value == null ? null : Long.valueOf(value));
    }

    /** Written with at most 3 decimals, without exponent. */
    JsonWriter field(String name, Double value) {
        if (value != null && Double.isFinite(value)) {
            name(name);
            out.append(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
        }
        return this;
    }

    /** The object, closed. */
    String end() {
        return out + "}";
    }

    private void name(String name) {
        if (out.length() > 1) {
            out.append(',');
        }
        string(name);
        out.append(':');
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
