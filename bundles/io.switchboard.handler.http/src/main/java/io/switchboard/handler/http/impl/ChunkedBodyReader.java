package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Follows a chunked response body from its first chunk line to the end of its trailer: chunk lines
 * and trailer lines byte by byte, chunk data skipped by count. The body goes to the listener as
 * slices of the buffers it came in, chunk lines and all, or, for a client that cannot take chunks,
 * as the data alone. A chunk line or trailer that cannot be framed safely breaks the body.
 */
final class ChunkedBodyReader implements ByteProcessor {
    /** What {@link #read} found: the body goes on in the next buffer, it ended, or it is broken. */
    static final int GOES_ON = 0;
    static final int ENDED = 1;
    static final int BROKEN = 2;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private static final int CHUNK_SIZE = 0;
    private static final int CHUNK_EXT = 1;
    private static final int CHUNK_SIZE_LF = 2;
    private static final int CHUNK_DATA = 3;
    private static final int CHUNK_DATA_CR = 4;
    private static final int CHUNK_DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER_LINE = 7;
    private static final int TRAILER_LF = 8;
    private static final int TRAILER_END_LF = 9;
    private static final int END = 10;
    private static final int FAILED = 11;

    private final ResponseReader.Listener listener;
    private int state;
    /** Data bytes left in the chunk being read (while its size line is read: the size so far). */
    private long remaining;
    private int chunkDigits;
    private String violation;

    ChunkedBodyReader(ResponseReader.Listener listener) {
        this.listener = listener;
    }

    /** A chunked body begins with the next byte. */
    void start() {
        startChunk();
    }

    /** Why the body broke. */
    String violation() {
        return violation;
    }

    /**
     * Follows the framing over the buffer, passing the bytes on as they are (or, with
     * {@code dataOnly}, the chunk data alone), up to the end of the body. Leaves the buffer's reader
     * index after the last byte of the body it read ({@link #BROKEN}: at the buffer's end).
     */
    int read(ByteBuf in, boolean dataOnly) {
        int start = in.readerIndex();
        int i = start;
        int end = in.writerIndex();
        while (i < end && state != END && state != FAILED) {
            if (state == CHUNK_DATA) {
                int n = (int) Math.min(remaining, end - i);
                if (dataOnly && n > 0) {
                    listener.responseBody(in.retainedSlice(i, n));
                }
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    state = CHUNK_DATA_CR;
                }
                continue;
            }
            int stop = in.forEachByte(i, end - i, this);
            i = stop < 0 ? end : stop + 1;
        }
        if (state == FAILED) {
            in.readerIndex(end);
            return BROKEN;
        }
        in.readerIndex(i);
        if (i > start && !dataOnly) {
            listener.responseBody(in.retainedSlice(start, i - start));
        }
        return state == END ? ENDED : GOES_ON;
    }

    private void startChunk() {
        state = CHUNK_SIZE;
        remaining = 0;
        chunkDigits = 0;
    }

    /** One byte of a chunk line or trailer; false to stop (data to skip, the end, or a violation). */
    @Override
    public boolean process(byte b) {
        int c = b & 0xFF;
        switch (state) {
            case CHUNK_SIZE: {
                int digit = c < 0x80 ? Character.digit(c, 16) : -1;
                if (digit >= 0) {
                    if (++chunkDigits > HttpSyntax.MAX_CHUNK_SIZE_DIGITS) {
                        return fail("chunk size too large");
                    }
                    remaining = remaining * 16 + digit;
                    return remaining >= 0 || fail("chunk size too large");
                }
                if (chunkDigits == 0) {
                    return fail("invalid chunk size");
                }
                state = CHUNK_EXT;
                return process(b);
            }
            case CHUNK_EXT:
                if (c == CR) {
                    state = CHUNK_SIZE_LF;
                    return true;
                }
                return (c >= 0x20 && c != 0x7F) || c == '\t' || fail("invalid chunk line");
            case CHUNK_SIZE_LF:
                if (c != LF) {
                    return fail("bare CR in a chunk line");
                }
                if (remaining == 0) {
                    state = TRAILER_START;
                    return true;
                }
                state = CHUNK_DATA;
                return false;
            case CHUNK_DATA_CR:
                state = CHUNK_DATA_LF;
                return c == CR || fail("chunk data not followed by CRLF");
            case CHUNK_DATA_LF:
                if (c != LF) {
                    return fail("chunk data not followed by CRLF");
                }
                startChunk();
                return true;
            case TRAILER_START:
                if (c == CR) {
                    state = TRAILER_END_LF;
                    return true;
                }
                if (c == ' ' || c == '\t' || !HttpSyntax.tchar(c)) {
                    return fail("invalid trailer line");
                }
                state = TRAILER_LINE;
                return true;
            case TRAILER_LINE:
                if (c == CR) {
                    state = TRAILER_LF;
                    return true;
                }
                return (c >= 0x20 && c != 0x7F) || c == '\t' || fail("invalid trailer line");
            case TRAILER_LF:
                state = TRAILER_START;
                return c == LF || fail("bare CR in a trailer line");
            case TRAILER_END_LF:
                if (c != LF) {
                    return fail("bare CR after the trailer");
                }
                state = END;
                return false;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private boolean fail(String reason) {
        violation = "invalid chunked response body: " + reason;
        state = FAILED;
        return false;
    }
}
