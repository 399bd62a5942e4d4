package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Follows the framing of a client's request stream by itself: the request line and header lines byte
 * by byte, a Content-Length body skipped by count, a chunked body by its chunk lines (the data skipped
 * by count) and its trailer lines byte by byte. It looks only at heads and chunk lines, never at body
 * bytes, and copies or keeps nothing. What it rejects is what the decoder accepts silently or what two
 * parsers could read differently: bare LF and bare CR line ends, obs-fold, whitespace or other
 * non-token bytes in a header name, control bytes in a header value, chunk sizes that are not hex or
 * have more than 16 digits, malformed chunk extensions, and the framing headers' violations
 * ({@link RequestFramingHeaders}).
 *
 * <p>Longer than 300 lines on purpose: the request line, header lines and chunk lines are one state
 * machine that {@code forEachByte} drives a byte at a time; in parts, every byte would cost a call more.
 */
final class RequestStreamScanner extends RequestFramingHeaders implements ByteProcessor {
    private static final int MAX_CHUNK_LINE = 4096;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    // Between messages, the request line.
    private static final int LINE_START = 0;
    private static final int LINE_START_LF = 1;
    private static final int METHOD = 2;
    private static final int TARGET_START = 3;
    private static final int TARGET = 4;
    private static final int VERSION = 5;
    private static final int REQUEST_LINE_LF = 6;
    // Header and trailer lines.
    private static final int FIELD_START = 7;
    private static final int FIELD_NAME = 8;
    private static final int FIELD_VALUE = 9;
    private static final int FIELD_LF = 10;
    private static final int END_LF = 11;
    // Bodies: skipped by count.
    private static final int FIXED_BODY = 12;
    private static final int CHUNK_DATA = 13;
    private static final int CHUNK_DATA_CR = 14;
    private static final int CHUNK_DATA_LF = 15;
    // Chunk lines: the size, then any extensions (how far along: extension), then CRLF.
    private static final int CHUNK_SIZE = 16;
    private static final int CHUNK_EXTENSIONS = 17;
    private static final int CHUNK_LINE_LF = 18;
    private static final int FAILED = 19;
    // After an HTTP/1.1 request with Upgrade: what follows may be another protocol's bytes, not scanned
    // until the proxy knows whether the back-end switched (then they are the tunnel's).
    private static final int HOLD = 20;

    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);

    private int state = LINE_START;
    private String violation;
    /** Index (in the buffer being scanned) of the byte {@link #process} is given next. */
    private int index;
    /** Where the message being scanned began in the current buffer; -1 when it began in an earlier one. */
    private int messageStart;
    /** Where the bytes held after an upgrade request begin in the buffer last scanned. */
    private int holdAt;

    // The head being scanned.
    private boolean headInProgress;
    private int headSeq;
    private boolean http10;
    private int versionIndex;
    private boolean trailer;

    // The body being skipped, and its chunk lines.
    /** Body bytes left to skip (while a chunk size is read: the size so far). */
    private long remaining;
    private int chunkDigits;
    /** Bytes of the chunk line so far. */
    private int chunkLine;
    /** Where the chunk line's extensions are, as {@link ChunkExtensionSyntax#next} says. */
    private int extension;

    /** Why the scan stopped at a violation. */
    String violation() {
        return violation;
    }

    /** Where the offending message began in the buffer last scanned; -1 when it began in an earlier one. */
    int messageStart() {
        return messageStart;
    }

    boolean failed() {
        return state == FAILED;
    }

    /** Whether the scan stopped after a request asking for an upgrade: the bytes from {@link #holdAt()} on wait. */
    boolean holding() {
        return state == HOLD;
    }

    /** Where, in the buffer last scanned, the bytes after the upgrade request begin. */
    int holdAt() {
        return holdAt;
    }

    /** No upgrade happened: the bytes after the request are HTTP again. */
    void resume() {
        if (state == HOLD) {
            state = LINE_START;
        }
    }

    /** Whether a head has begun and not ended. */
    boolean headInProgress() {
        return headInProgress;
    }

    /** Counts the heads begun: tells one head from the next. */
    int headSeq() {
        return headSeq;
    }

    /** The head timed out: nothing more is scanned. */
    void timedOut() {
        state = FAILED;
        headInProgress = false;
    }

    /** What {@link #scan} found: the buffer's end, a violation, a hold after an upgrade request, or a whole head. */
    static final int END = 0;
    static final int VIOLATION = 1;
    static final int HELD = 2;
    static final int HEAD = 3;

    /**
     * Follows the framing over the buffer from {@code from}. Stops after each head that lies whole in
     * the buffer and is followed by no body or one of a known length ({@link #HEAD}: its parts are
     * {@link #lineStart()} and on, its body (if any) starts at {@link #headEnd()}, where the scan goes
     * on when called again, skipping the body by count).
     */
    int scan(ByteBuf buf, int from) {
        messageStart = -1;
        headReady = false;
        if (headInProgress) {
            offsetsValid = false; // a head begun in an earlier buffer: its offsets are not in this one
        }
        int i = from;
        int end = buf.writerIndex();
        if (state == HOLD) {
            holdAt = i;
            return HELD;
        }
        while (i < end) {
            if (state == FIXED_BODY || state == CHUNK_DATA) {
                int n = (int) Math.min(remaining, end - i);
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    if (state == FIXED_BODY) {
                        messageEnded(i);
                        if (state == HOLD) {
                            return HELD;
                        }
                    } else {
                        state = CHUNK_DATA_CR;
                    }
                }
                continue;
            }
            index = i;
            int stop = buf.forEachByte(i, end - i, this);
            if (state == FAILED) {
                return VIOLATION;
            }
            if (state == HOLD) {
                return HELD;
            }
            if (headReady) {
                return HEAD;
            }
            if (stop < 0) {
                break;
            }
            i = stop + 1;
        }
        return END;
    }

    // The parts of the last head, as indexes in the buffer it was scanned in (valid when offsetsValid).
    private boolean offsetsValid;
    private boolean headReady;
    private int lineStart;
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private int headEnd;
    private long bodyLength;
    /** Per header field: name start, name end, value start, value end (the value without the whitespace around it). */
    private int[] fieldOffsets = new int[64];
    private int fieldCount;
    private int valueStart;
    private int valueEnd;

    int lineStart() {
        return lineStart;
    }

    int methodEnd() {
        return methodEnd;
    }

    int targetStart() {
        return targetStart;
    }

    int targetEnd() {
        return targetEnd;
    }

    int headEnd() {
        return headEnd;
    }

    /** The Content-Length of the head the scan stopped at (0: none). */
    long bodyLength() {
        return bodyLength;
    }

    boolean http10() {
        return http10;
    }

    int[] fieldOffsets() {
        return fieldOffsets;
    }

    int fieldCount() {
        return fieldCount;
    }

    /** One byte of a head or chunk line; false to stop the loop (a body to skip, or a violation). */
    @Override
    public boolean process(byte b) {
        int at = index++;
        int c = b & 0xFF;
        switch (state) {
            case LINE_START:
                if (!headInProgress) {
                    startHead(at);
                }
                if (c == CR) {
                    state = LINE_START_LF;
                    return true;
                }
                if (HttpSyntax.tchar(c)) {
                    state = METHOD;
                    lineStart = at;
                    return true;
                }
                return fail(c == LF ? "bare LF before the request line" : "invalid request line");
            case LINE_START_LF:
                if (c == LF) {
                    state = LINE_START;
                    return true;
                }
                return fail("bare CR before the request line");
            case METHOD:
                if (HttpSyntax.tchar(c)) {
                    return true;
                }
                if (c == SP) {
                    state = TARGET_START;
                    methodEnd = at;
                    return true;
                }
                return fail(c == LF ? "request line ends in a bare LF" : "invalid method");
            case TARGET_START:
            case TARGET:
                if (c > 0x20 && c != 0x7F) {
                    if (state == TARGET_START) {
                        targetStart = at;
                        state = TARGET;
                    }
                    return true;
                }
                if (c == SP && state == TARGET) {
                    state = VERSION;
                    targetEnd = at;
                    versionIndex = 0;
                    return true;
                }
                return fail(c == LF ? "request line ends in a bare LF" : "invalid character in the request target");
            case VERSION:
                if (versionIndex < HTTP_1.length) {
                    if (c != HTTP_1[versionIndex++]) {
                        return fail(c == LF ? "request line ends in a bare LF" : "unsupported HTTP version");
                    }
                    return true;
                }
                if (versionIndex == HTTP_1.length) {
                    versionIndex++;
                    if (c == '0') {
                        http10 = true;
                        return true;
                    }
                    return c == '1' || fail("unsupported HTTP version");
                }
                if (c == CR) {
                    state = REQUEST_LINE_LF;
                    return true;
                }
                return fail(c == LF ? "request line ends in a bare LF" : "invalid request line");
            case REQUEST_LINE_LF:
                if (c == LF) {
                    state = FIELD_START;
                    return true;
                }
                return fail("bare CR in the request line");
            case FIELD_START:
                if (c == CR) {
                    state = END_LF;
                    return true;
                }
                if (HttpSyntax.tchar(c)) {
                    state = FIELD_NAME;
                    startName(c, trailer);
                    if (!trailer) {
                        startField(at);
                    }
                    return true;
                }
                if (c == SP || c == HTAB) {
                    return fail("header line starting with whitespace (obs-fold)");
                }
                if (c == LF) {
                    return fail("header line ends in a bare LF");
                }
                return fail(c == ':' ? "empty header name" : "invalid character in a header name");
            case FIELD_NAME:
                if (HttpSyntax.tchar(c)) {
                    matchName(c);
                    return true;
                }
                if (c == ':') {
                    state = FIELD_VALUE;
                    if (!trailer) {
                        fieldOffsets[fieldCount * 4 + 1] = at;
                    }
                    valueStart = at + 1;
                    valueEnd = at + 1;
                    return startValue();
                }
                if (c == SP || c == HTAB) {
                    return fail("whitespace between a header name and the colon");
                }
                return fail(c == CR || c == LF ? "header line without a colon" : "invalid character in a header name");
            case FIELD_VALUE:
                if (c == CR) {
                    state = FIELD_LF;
                    return true;
                }
                if (c == LF) {
                    return fail("header line ends in a bare LF");
                }
                if ((c < 0x20 && c != HTAB) || c == 0x7F) {
                    return fail("control character in a header value");
                }
                if (c != SP && c != HTAB) {
                    if (valueEnd == valueStart) {
                        valueStart = at; // the first byte after the optional whitespace
                    }
                    valueEnd = at + 1;
                }
                return framingField == 0 || valueByte(c);
            case FIELD_LF:
                if (c != LF) {
                    return fail("bare CR in a header line");
                }
                state = FIELD_START;
                if (!trailer) {
                    endField();
                }
                return framingField == 0 || endValue();
            case END_LF:
                if (c != LF) {
                    return fail("bare CR in a header line");
                }
                if (trailer) {
                    return messageEnded(at + 1); // the chunked message is complete
                }
                return endHead(at + 1);
            case CHUNK_DATA_CR:
                if (c == CR) {
                    state = CHUNK_DATA_LF;
                    return true;
                }
                return fail("chunk data not followed by CRLF");
            case CHUNK_DATA_LF:
                if (c == LF) {
                    startChunk();
                    return true;
                }
                return fail("chunk data not followed by CRLF");
            case CHUNK_LINE_LF:
                if (c != LF) {
                    return fail("bare CR in a chunk line");
                }
                if (remaining == 0) {
                    state = FIELD_START; // last chunk: trailer lines follow
                    trailer = true;
                    return true;
                }
                state = CHUNK_DATA;
                return false;
            case CHUNK_SIZE:
            case CHUNK_EXTENSIONS:
                return chunkLine(c);
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    /** A byte of a chunk line before its CR: the size, then what may follow it ({@link ChunkExtensionSyntax}). */
    private boolean chunkLine(int c) {
        if (++chunkLine > MAX_CHUNK_LINE) {
            return fail("chunk line too long");
        }
        if (c == LF) {
            return fail("chunk line ends in a bare LF");
        }
        if (state == CHUNK_EXTENSIONS) {
            int next = ChunkExtensionSyntax.next(extension, c);
            if (next == ChunkExtensionSyntax.LINE_END) {
                state = CHUNK_LINE_LF;
                return true;
            }
            if (next < 0) {
                return fail(ChunkExtensionSyntax.violation(next));
            }
            extension = next;
            return true;
        }
        int digit = Character.digit(c, 16);
        if (digit >= 0 && c < 0x80) {
            if (++chunkDigits > HttpSyntax.MAX_CHUNK_SIZE_DIGITS) {
                return fail("chunk size with more than " + HttpSyntax.MAX_CHUNK_SIZE_DIGITS + " digits");
            }
            remaining = remaining * 16 + digit;
            return remaining <= Integer.MAX_VALUE || fail("chunk size too large");
        }
        if (chunkDigits == 0) {
            return fail("invalid chunk size");
        }
        if (c == CR) {
            state = CHUNK_LINE_LF;
            return true;
        }
        if (c == ';' || c == SP || c == HTAB) {
            state = CHUNK_EXTENSIONS;
            extension = c == ';' ? ChunkExtensionSyntax.NAME_START : ChunkExtensionSyntax.BWS;
            return true;
        }
        return fail("invalid character in a chunk size");
    }

    private void startField(int at) {
        int i = fieldCount * 4;
        if (i + 4 > fieldOffsets.length) {
            fieldOffsets = java.util.Arrays.copyOf(fieldOffsets, fieldOffsets.length * 2);
        }
        fieldOffsets[i] = at;
    }

    private void endField() {
        int i = fieldCount * 4;
        fieldOffsets[i + 2] = valueStart;
        fieldOffsets[i + 3] = valueEnd;
        fieldCount++;
    }

    private void startHead(int at) {
        offsetsValid = true;
        fieldCount = 0;
        headInProgress = true;
        headSeq++;
        messageStart = at;
        http10 = false;
        trailer = false;
        startHeaders();
    }

    /**
     * A whole request has been scanned; the next one starts at {@code next}. After one asking for an
     * upgrade (HTTP/1.1 only: a server ignores Upgrade on 1.0) the scan holds there. False when it holds.
     */
    private boolean messageEnded(int next) {
        if (upgradeRequest) {
            upgradeRequest = false;
            state = HOLD;
            holdAt = next;
            return false;
        }
        state = LINE_START;
        return true;
    }

    /** Whether the request being scanned asks for an upgrade (noted at the end of its head). */
    private boolean upgradeRequest;

    /** The empty line after the header lines: the body's framing is decided here. */
    private boolean endHead(int next) {
        headInProgress = false;
        upgradeRequest = upgradeField && !http10;
        long framing = declaredFraming(http10);
        if (framing == UNKNOWN) {
            return false; // a violation
        }
        if (framing == CHUNKED) {
            startChunk();
            return true;
        }
        if (!upgradeRequest && offsetsValid) {
            headReady = true; // a whole head in this buffer, with no body or one of a known length: the caller may take it as it is
            headEnd = next;
            bodyLength = framing;
        }
        if (framing == 0) {
            return messageEnded(next) && !headReady; // stops at a hold, and for the caller to take the head
        }
        remaining = framing;
        state = FIXED_BODY;
        return false;
    }

    private void startChunk() {
        state = CHUNK_SIZE;
        remaining = 0;
        chunkDigits = 0;
        chunkLine = 0;
    }

    @Override
    boolean fail(String reason) {
        violation = reason;
        state = FAILED;
        headInProgress = false;
        return false;
    }
}
