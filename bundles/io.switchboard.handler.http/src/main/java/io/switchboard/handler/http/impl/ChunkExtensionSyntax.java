package io.switchboard.handler.http.impl;

/**
 * What may follow a chunk size on its line (RFC 9112 §7.1.1), up to the CR that ends it:
 * {@code [BWS] *( ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}. A transition function
 * over bytes, so that the request scanner carries one int for where a chunk line's extensions are.
 * Bare LF and the line's length are the scanner's business.
 */
final class ChunkExtensionSyntax {
    // Where the extensions are; the first two are where they start.
    static final int BWS = 0;
    static final int NAME_START = 1;
    private static final int NAME = 2;
    private static final int AFTER_NAME = 3;
    private static final int VALUE_START = 4;
    private static final int TOKEN = 5;
    private static final int QUOTED = 6;
    private static final int QUOTED_ESCAPE = 7;
    private static final int AFTER_VALUE = 8;
    private static final int AFTER_VALUE_WS = 9;

    /** {@link #next} at the CR that ends the line. */
    static final int LINE_END = -1;
    // {@link #next} at a byte that may not stand there; violation() says why.
    private static final int INVALID_SIZE_LINE = -2;
    private static final int INVALID_EXTENSION = -3;
    private static final int INVALID_VALUE = -4;
    private static final int INVALID_QUOTED = -5;

    private ChunkExtensionSyntax() {
    }

    /** Where the extensions are after byte {@code c}: a state, {@link #LINE_END}, or a violation (below -1). */
    static int next(int at, int c) {
        boolean ws = c == ' ' || c == '\t';
        switch (at) {
            case BWS:
                return ws ? BWS : c == ';' ? NAME_START : INVALID_SIZE_LINE;
            case NAME_START:
                return ws ? NAME_START : HttpSyntax.tchar(c) ? NAME : INVALID_EXTENSION;
            case NAME:
                return HttpSyntax.tchar(c) ? NAME : c == '=' ? VALUE_START : endOfPart(c, ws, AFTER_NAME);
            case AFTER_NAME:
                return ws ? AFTER_NAME : c == '=' ? VALUE_START : c == ';' ? NAME_START : INVALID_EXTENSION;
            case VALUE_START:
                return ws ? VALUE_START : c == '"' ? QUOTED : HttpSyntax.tchar(c) ? TOKEN : INVALID_VALUE;
            case TOKEN:
                return HttpSyntax.tchar(c) ? TOKEN : endOfPart(c, ws, AFTER_VALUE_WS);
            case QUOTED:
                return c == '"' ? AFTER_VALUE : c == '\\' ? QUOTED_ESCAPE : quotable(c) ? QUOTED : INVALID_QUOTED;
            case QUOTED_ESCAPE:
                return quotable(c) ? QUOTED : INVALID_QUOTED;
            case AFTER_VALUE:
                return endOfPart(c, ws, AFTER_VALUE_WS);
            case AFTER_VALUE_WS:
                return ws ? AFTER_VALUE_WS : c == ';' ? NAME_START : INVALID_EXTENSION;
            default:
                throw new IllegalStateException("chunk extension state " + at);
        }
    }

    /** After a name or a value: the line ends, another extension follows, or whitespace ({@code afterWs}). */
    private static int endOfPart(int c, boolean ws, int afterWs) {
        return c == '\r' ? LINE_END : c == ';' ? NAME_START : ws ? afterWs : INVALID_EXTENSION;
    }

    /** Whether the byte may stand in a quoted string, escaped or not. */
    private static boolean quotable(int c) {
        return c == '\t' || (c >= 0x20 && c != 0x7F);
    }

    /** Why {@link #next} returned {@code code}. */
    static String violation(int code) {
        switch (code) {
            case INVALID_SIZE_LINE:
                return "invalid chunk size line";
            case INVALID_VALUE:
                return "invalid chunk extension value";
            case INVALID_QUOTED:
                return "invalid quoted string in a chunk extension";
            default:
                return "invalid chunk extension";
        }
    }
}
