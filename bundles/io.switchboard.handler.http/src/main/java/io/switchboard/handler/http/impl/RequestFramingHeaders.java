package io.switchboard.handler.http.impl;

import java.nio.charset.StandardCharsets;

/**
 * The framing a request head declares: its Content-Length and Transfer-Encoding values, read byte by
 * byte as the {@link RequestStreamScanner} passes over them, the verdict on them at the end of the
 * head, and the framings so decided, queued until the {@link RequestFramingValidator} compares each
 * with the decoder's. Identical Content-Length values (repeated headers or a list) are accepted (the
 * decoder folds them into one); anything else but one plain number, or a lone {@code chunked}
 * coding on HTTP/1.1 without Content-Length, is a violation. So is the obsolete WebSocket handshake,
 * whose 8-byte body the decoder would read.
 *
 * <p>A superclass of the scanner rather than a field of it, so that the bytes of these values cost
 * no extra indirection.
 */
abstract class RequestFramingHeaders {
    /** Framing recorded for a chunked request (otherwise the body length, 0 when there is none). */
    static final long CHUNKED = -1;
    /** No framing recorded (the validator sees a request the scanner has not finished). */
    static final long UNKNOWN = -2;

    static final byte SP = ' ';
    static final byte HTAB = '\t';

    // Header names whose value is read (lower case), as bits of a match mask.
    private static final byte[][] NAMES = {
        bytes("content-length"), bytes("transfer-encoding"), bytes("sec-websocket-key1"), bytes("sec-websocket-key2"),
        bytes("upgrade")};
    private static final int CONTENT_LENGTH = 1;
    private static final int TRANSFER_ENCODING = 2;
    /** Only noted: bytes after a request that asks for an upgrade may belong to another protocol. */
    private static final int UPGRADE = 16;
    private static final int ALL_NAMES = (1 << NAMES.length) - 1;
    private static final byte[] CHUNKED_CODING = bytes("chunked");
    private static final long MAX_CONTENT_LENGTH = (Long.MAX_VALUE - 9) / 10;

    /** The field whose value is being read, as its bit in the match mask; 0 for any other field. */
    int framingField;
    private int nameLength;
    private int nameMatches;
    private long contentLength;
    private long lengthValue;
    private int lengthState;
    private int codings;
    private int chunkedCodings;
    private boolean lastCodingChunked;
    private int codingLength;
    private boolean codingOther;
    private int codingState;
    /** The head being scanned has an Upgrade field. */
    boolean upgradeField;

    // Framing of heads passed on whose request the validator has not seen yet, oldest first.
    private long[] framing = new long[4];
    private int framingFirst;
    private int framingCount;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Records the violation and stops the scan; always false. */
    abstract boolean fail(String reason);

    /** A head begins: nothing is declared yet. */
    final void startHeaders() {
        contentLength = -1;
        codings = 0;
        chunkedCodings = 0;
        lastCodingChunked = false;
        upgradeField = false;
    }

    /** The first byte of a field name; a trailer field declares nothing. */
    final void startName(int c, boolean trailer) {
        nameLength = 0;
        nameMatches = trailer ? 0 : ALL_NAMES;
        matchName(c);
    }

    final void matchName(int c) {
        int lower = c >= 'A' && c <= 'Z' ? c + 32 : c;
        int matches = nameMatches;
        for (int i = 0; matches != 0 && i < NAMES.length; i++) {
            int bit = 1 << i;
            if ((matches & bit) != 0 && (nameLength >= NAMES[i].length || NAMES[i][nameLength] != lower)) {
                matches &= ~bit;
            }
        }
        nameMatches = matches;
        nameLength++;
    }

    /** At the colon: decides whether the value is read. */
    final boolean startValue() {
        framingField = 0;
        for (int i = 0; nameMatches != 0 && i < NAMES.length; i++) {
            if ((nameMatches & (1 << i)) != 0 && NAMES[i].length == nameLength) {
                framingField = 1 << i;
            }
        }
        if (framingField == UPGRADE) {
            upgradeField = true;
            framingField = 0; // its value is the proxy's business, not the framing's
        } else if (framingField == CONTENT_LENGTH) {
            lengthState = 0;
            lengthValue = 0;
        } else if (framingField == TRANSFER_ENCODING) {
            codingState = 0;
            codingLength = 0;
            codingOther = false;
        } else if (framingField != 0) {
            return fail("obsolete WebSocket handshake (Sec-WebSocket-Key1/Key2)");
        }
        return true;
    }

    /** A byte of a Content-Length or Transfer-Encoding value. */
    final boolean valueByte(int c) {
        boolean ws = c == SP || c == HTAB;
        if (framingField == CONTENT_LENGTH) {
            if (c >= '0' && c <= '9') {
                if (lengthState == 2) {
                    return fail("invalid Content-Length");
                }
                lengthState = 1;
                if (lengthValue > MAX_CONTENT_LENGTH) {
                    return fail("Content-Length too large");
                }
                lengthValue = lengthValue * 10 + (c - '0');
                return true;
            }
            if (ws) {
                if (lengthState == 1) {
                    lengthState = 2;
                }
                return true;
            }
            if (c == ',') {
                return lengthElement();
            }
            return fail("Content-Length is not a number");
        }
        // Transfer-Encoding: a list of codings; only a lone "chunked" is accepted in the end.
        if (ws) {
            if (codingState == 1) {
                codingState = 2;
            }
            return true;
        }
        if (c == ',') {
            return coding();
        }
        if (codingState == 2) {
            return fail("invalid Transfer-Encoding");
        }
        codingState = 1;
        int lower = c >= 'A' && c <= 'Z' ? c + 32 : c;
        if (codingLength >= CHUNKED_CODING.length || CHUNKED_CODING[codingLength] != lower) {
            codingOther = true;
        }
        codingLength++;
        return true;
    }

    /** At the end of a Content-Length or Transfer-Encoding line. */
    final boolean endValue() {
        return framingField == CONTENT_LENGTH ? lengthElement() : coding();
    }

    private boolean lengthElement() {
        if (lengthState == 0) {
            return fail("empty Content-Length value");
        }
        if (contentLength >= 0 && contentLength != lengthValue) {
            return fail("Content-Length values differ");
        }
        contentLength = lengthValue;
        lengthValue = 0;
        lengthState = 0;
        return true;
    }

    private boolean coding() {
        if (codingState == 0) {
            return fail("empty transfer coding");
        }
        boolean chunked = !codingOther && codingLength == CHUNKED_CODING.length;
        codings++;
        if (chunked) {
            chunkedCodings++;
        }
        lastCodingChunked = chunked;
        codingState = 0;
        codingLength = 0;
        codingOther = false;
        return true;
    }

    /**
     * At the empty line after the header lines: the framing the head declares ({@link #CHUNKED}, or
     * the body length, 0 when there is none), queued for the validator; {@link #UNKNOWN} after a violation.
     */
    final long declaredFraming(boolean http10) {
        long declared = codings > 0 ? transferCoding(http10) : Math.max(contentLength, 0);
        if (declared != UNKNOWN) {
            pushFraming(declared);
        }
        return declared;
    }

    private long transferCoding(boolean http10) {
        String violation = http10 ? "Transfer-Encoding in an HTTP/1.0 request"
                : contentLength >= 0 ? "Transfer-Encoding together with Content-Length"
                : chunkedCodings > 1 ? "chunked transfer coding applied more than once"
                : chunkedCodings == 0 ? "final transfer coding is not chunked"
                : !lastCodingChunked ? "transfer coding after chunked"
                : codings > 1 ? "transfer coding other than chunked"
                : null;
        if (violation != null) {
            fail(violation);
            return UNKNOWN;
        }
        return CHUNKED;
    }

    private void pushFraming(long f) {
        if (framingCount == framing.length) {
            long[] bigger = new long[framing.length * 2];
            for (int i = 0; i < framingCount; i++) {
                bigger[i] = framing[(framingFirst + i) % framing.length];
            }
            framing = bigger;
            framingFirst = 0;
        }
        framing[(framingFirst + framingCount++) % framing.length] = f;
    }

    /** The framing of the oldest head passed on whose request the validator has not seen; {@link #UNKNOWN} if none. */
    final long pollFraming() {
        if (framingCount == 0) {
            return UNKNOWN;
        }
        long f = framing[framingFirst];
        framingFirst = (framingFirst + 1) % framing.length;
        framingCount--;
        return f;
    }

    /** The newest head's framing is nobody's to compare: its request went on without the decoder. */
    final void dropNewestFraming() {
        if (framingCount > 0) {
            framingCount--;
        }
    }

    final void clearFraming() {
        framingCount = 0;
    }
}
