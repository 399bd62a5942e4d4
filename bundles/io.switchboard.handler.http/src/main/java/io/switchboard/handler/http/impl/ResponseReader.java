package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Frames the responses of one back-end connection at the byte level. A head is gathered from the
 * buffers it comes in and parsed there ({@link ResponseHeadParser}); body bytes go on as slices of
 * the buffers they arrived in, never copied, never decoded: a Content-Length body is counted, a
 * chunked one followed by its chunk lines ({@link ChunkedBodyReader}: the client gets the chunks as
 * they were), one without framing lasts until the back-end closes.
 *
 * <p>What cannot be framed safely is refused (the listener hears why): a head the parser refuses, a
 * head over {@link #MAX_HEAD} bytes, a bad chunk line. Bytes that come while no response is expected
 * mean the connection is out of step.
 */
final class ResponseReader {
    /** What a reader reports, on the back-end connection's event loop. */
    interface Listener {
        void responseHead(ResponseHead head);

        /** A part of the body; the listener owns it. */
        void responseBody(ByteBuf part);

        void responseEnd();

        void responseInvalid(String reason);

        /** Bytes arrived while no response was expected. */
        void outOfStep();

        /**
         * A 101 to a request that asked for an upgrade: the connection is no longer HTTP and nothing
         * more is read here. {@code rest}, owned by the listener, holds the bytes that came after the
         * head in the same read (null: none).
         */
        void switched(ResponseHead head, ByteBuf rest);
    }

    static final int MAX_HEAD = 24 * 1024;
    private static final byte LF = '\n';

    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int LENGTH = 2;
    private static final int CHUNKED = 3;
    private static final int UNTIL_CLOSE = 4;
    private static final int FAILED = 5;

    private final Listener listener;
    private final ChunkedBodyReader chunked;
    private int state = IDLE;
    private boolean headRequest;
    /** The request asked for an upgrade: a 101 may answer it. */
    private boolean upgradeAsked;
    /** Pass only the data of a chunked body (for an HTTP/1.0 client); the close ends it for the client. */
    private boolean dechunk;
    /** Bytes of a head still incomplete, held at the start of {@link #scratch} (0: none). */
    private int gathered;
    /** The head being parsed, copied out of its buffer(s). */
    private byte[] scratch = new byte[1024];
    /** The head of the response in progress: one per connection, refilled by each parse (see {@link ResponseHead}). */
    private final ResponseHead parsed = new ResponseHead();
    /** Bytes left of a Content-Length body. */
    private long remaining;

    ResponseReader(Listener listener) {
        this.listener = listener;
        this.chunked = new ChunkedBodyReader(listener);
    }

    /** A request went out: its response is read next. A response to HEAD has no body, whatever its head says. */
    void expect(boolean head) {
        expect(head, false);
    }

    /** As {@link #expect(boolean)}; {@code upgrade}: the request asked for an upgrade. */
    void expect(boolean head, boolean upgrade) {
        headRequest = head;
        upgradeAsked = upgrade;
        gathered = 0;
        dechunk = false;
        state = HEAD;
    }

    /** The chunked body of the response in progress goes on as its data only. */
    void dechunk() {
        dechunk = true;
    }

    /** The exchange let the connection go mid-response: nothing more is read from it. */
    void abandon() {
        state = FAILED;
        gathered = 0;
    }

    /** Whether the response in progress ends when the back-end closes (then the close completes it). */
    boolean endsAtClose() {
        return state == UNTIL_CLOSE;
    }

    /** Reads a buffer from the back-end; takes ownership of it. */
    void read(ByteBuf in) {
        try {
            while (in.isReadable()) {
                switch (state) {
                    case HEAD:
                        if (!readHead(in)) {
                            return;
                        }
                        break;
                    case LENGTH: {
                        int n = (int) Math.min(remaining, in.readableBytes());
                        remaining -= n;
                        listener.responseBody(in.readRetainedSlice(n));
                        if (remaining == 0) {
                            end(in);
                        }
                        break;
                    }
                    case CHUNKED:
                        readChunked(in);
                        break;
                    case UNTIL_CLOSE:
                        listener.responseBody(in.readRetainedSlice(in.readableBytes()));
                        break;
                    case FAILED:
                        return;
                    case IDLE:
                        state = FAILED;
                        listener.outOfStep();
                        return;
                    default:
                        throw new IllegalStateException("state " + state);
                }
            }
        } finally {
            in.release();
        }
    }

    /** False when the buffer is used up (or the head is refused) before a head is complete. */
    private boolean readHead(ByteBuf in) {
        ResponseHead head;
        try {
            if (gathered == 0) {
                // Most heads arrive whole: copy the buffer's start into the scratch array, a little at
                // a time (the rest is body), and parse it there in one pass.
                int start = in.readerIndex();
                int available = in.readableBytes();
                int copied = 0;
                do {
                    int want = Math.min(available, Math.min(MAX_HEAD + 1, copied == 0 ? 512 : copied * 2));
                    ensureScratch(want);
                    in.getBytes(start + copied, scratch, copied, want - copied);
                    copied = want;
                    head = ResponseHeadParser.parse(scratch, copied, headRequest, parsed);
                } while (head == null && copied < available && copied <= MAX_HEAD);
                if (head == null) {
                    if (copied > MAX_HEAD) {
                        return fail("response head over " + MAX_HEAD + " bytes");
                    }
                    gathered = copied; // the whole buffer: the head goes on in the next one
                    in.readerIndex(start + copied);
                    return false;
                }
                in.readerIndex(start + head.length);
            } else {
                int take = Math.min(in.readableBytes(), MAX_HEAD + 1 - gathered);
                int at = in.readerIndex();
                int from = gathered;
                int size = from + take;
                ensureScratch(size);
                in.getBytes(at, scratch, from, take);
                // A head can only have ended if a line did: a piece without LF is not parsed again.
                head = containsLf(scratch, from, size) ? ResponseHeadParser.parse(scratch, size, headRequest, parsed) : null;
                if (head == null) {
                    in.readerIndex(at + take);
                    gathered = size;
                    return size <= MAX_HEAD ? false : fail("response head over " + MAX_HEAD + " bytes");
                }
                // Only the head's own bytes are taken from this buffer: the rest is the body.
                in.readerIndex(at + take - (size - head.length));
                gathered = 0;
            }
        } catch (ResponseHeadParser.Refused r) {
            return fail(r.getMessage());
        }
        return head(head, in);
    }

    private static boolean containsLf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == LF) {
                return true;
            }
        }
        return false;
    }

    private void ensureScratch(int size) {
        if (scratch.length < size) {
            scratch = Arrays.copyOf(scratch, Math.max(size, scratch.length * 2));
        }
    }

    /** Tells the listener about a head; false if the reader has failed meanwhile. */
    private boolean head(ResponseHead head, ByteBuf in) {
        if (head.switching()) {
            if (!upgradeAsked) {
                return fail("101 Switching Protocols to a request that asked for no upgrade");
            }
            state = FAILED; // not HTTP any more: the tunnel takes the connection over
            listener.switched(head, in.isReadable() ? in.readRetainedSlice(in.readableBytes()) : null);
            return false;
        }
        if (head.informational()) {
            state = HEAD; // the final response follows
            listener.responseHead(head);
            return state != FAILED;
        }
        switch (head.body) {
            case NONE:
                state = IDLE;
                listener.responseHead(head);
                if (state == IDLE) {
                    end(in);
                }
                return true;
            case LENGTH:
                remaining = head.contentLength;
                state = LENGTH;
                break;
            case CHUNKED:
                chunked.start();
                state = CHUNKED;
                break;
            default:
                state = UNTIL_CLOSE;
                break;
        }
        listener.responseHead(head);
        return state != FAILED;
    }

    /** Follows a chunked body over the buffer, up to its end. */
    private void readChunked(ByteBuf in) {
        switch (chunked.read(in, dechunk)) {
            case ChunkedBodyReader.ENDED:
                end(in);
                break;
            case ChunkedBodyReader.BROKEN:
                state = FAILED;
                listener.responseInvalid(chunked.violation());
                break;
            default:
                break; // it goes on in the next buffer
        }
    }

    /**
     * The response is complete. Bytes after it, before another request went out, mean the back-end
     * is out of step: the listener hears that first (so the connection is closed, never pooled),
     * and the rest is dropped.
     */
    private void end(ByteBuf in) {
        boolean extra = in.isReadable();
        if (extra) {
            listener.outOfStep();
        }
        state = IDLE;
        listener.responseEnd();
        if (extra) {
            state = FAILED;
        }
    }

    private boolean fail(String reason) {
        state = FAILED;
        gathered = 0;
        listener.responseInvalid(reason);
        return false;
    }
}
