package io.switchboard.accesslog.impl;

import java.net.InetSocketAddress;

/** Escaping shared by the formats: every line is ASCII, whatever a client sent. */
final class LogText {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LogText() {
    }

    /**
     * The value as NGINX writes a variable: {@code "}, {@code \}, control characters and anything
     * outside printable ASCII as {@code \xHH}; null as {@code -}. Header text arrives as ISO-8859-1
     * (one char per byte), so {@code \xHH} is the byte the client sent.
     */
    static void escaped(StringBuilder out, String s) {
        if (s == null) {
            out.append('-');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                if (c > 0xff) {
                    out.append('?');
                } else {
                    out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                }
            } else {
                out.append(c);
            }
        }
    }

    /** A JSON string (quoted), or {@code null}; anything outside printable ASCII as {@code \\uXXXX}. */
    static void json(StringBuilder out, String s) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** The client's IP address (no name look-up: the address came from the socket). */
    static String ip(InetSocketAddress a) {
        return a == null || a.getAddress() == null ? "-" : a.getAddress().getHostAddress();
    }

    static int port(InetSocketAddress a) {
        return a == null ? 0 : a.getPort();
    }

    /** Milliseconds of a duration in nanoseconds, -1 when unknown (negative). */
    static long millis(long nanos) {
        return nanos < 0 ? -1 : nanos / 1_000_000;
    }

    /** Microseconds of a duration in nanoseconds, -1 when unknown (negative). */
    static long micros(long nanos) {
        return nanos < 0 ? -1 : nanos / 1_000;
    }
}
