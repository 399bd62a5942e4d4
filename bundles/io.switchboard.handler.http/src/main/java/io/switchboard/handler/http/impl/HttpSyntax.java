package io.switchboard.handler.http.impl;

import io.netty.util.AsciiString;

/** What the request and response paths share of HTTP/1.1: token characters, hop-by-hop fields, limits. */
final class HttpSyntax {
    /** Hex digits a chunk size may have, either way: more could overflow a long. */
    static final int MAX_CHUNK_SIZE_DIGITS = 16;

    /** Fields that belong to one connection and are never passed on (RFC 9110 §7.6.1), lower case. */
    private static final String[] HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "upgrade", "proxy-authenticate"};

    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HttpSyntax() {
    }

    /** Whether the byte (0..255) may stand in a token: a method, a header name, a transfer coding. */
    static boolean tchar(int c) {
        return TCHAR[c];
    }

    /** Whether a decoded field name is hop-by-hop. */
    static boolean hopByHop(CharSequence name) {
        for (String h : HOP_BY_HOP) {
            if (h.length() == name.length() && AsciiString.contentEqualsIgnoreCase(name, h)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the field name of {@code length} bytes at {@code at} is hop-by-hop. */
    static boolean hopByHop(byte[] b, int at, int length) {
        for (String h : HOP_BY_HOP) {
            if (h.length() == length && named(b, at, h)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the bytes at {@code at} spell {@code lower} (lower case), ignoring case. */
    static boolean named(byte[] b, int at, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = b[at + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
