package io.switchboard.transport.impl.http;

/** Character classes of HTTP/1.1 (RFC 9110 §5.6.2) shared by the request scanner and the response reader. */
final class HttpSyntax {
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
}
