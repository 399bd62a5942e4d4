package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.HttpSyntax.named;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Frames the responses of one back-end connection at the byte level. A head is parsed in place
 * ({@link ResponseHead}); body bytes go on as slices of the buffers they arrived in, never copied,
 * never decoded: a Content-Length body is counted, a chunked one followed by its chunk lines (the
 * client gets the chunks as they were), one without framing lasts until the back-end closes.
 *
 * <p>What cannot be framed safely is refused (the listener hears why): Transfer-Encoding together
 * with Content-Length, Content-Length values that differ or are not numbers, obs-fold, bare CR or
 * LF line ends, a header name that is not a token, a head over {@link #MAX_HEAD} bytes, a bad chunk
 * line, and 101 Switching Protocols (upgrades are not forwarded). Bytes that come while no response
 * is expected mean the connection is out of step.
 */
final class ResponseReader implements ByteProcessor {
    /** What a reader reports, on the back-end connection's event loop. */
    interface Listener {
        void responseHead(ResponseHead head);

        /** A part of the body; the listener owns it. */
        void responseBody(ByteBuf part);

        void responseEnd();

        void responseInvalid(String reason);

        /** Bytes arrived while no response was expected. */
        void outOfStep();
    }

    static final int MAX_HEAD = 24 * 1024;
    private static final int MAX_HEADERS = 256;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int LENGTH = 2;
    private static final int UNTIL_CLOSE = 3;
    // Chunked body, byte by byte except the data.
    private static final int CHUNK_SIZE = 4;
    private static final int CHUNK_EXT = 5;
    private static final int CHUNK_SIZE_LF = 6;
    private static final int CHUNK_DATA = 7;
    private static final int CHUNK_DATA_CR = 8;
    private static final int CHUNK_DATA_LF = 9;
    private static final int TRAILER_START = 10;
    private static final int TRAILER_LINE = 11;
    private static final int TRAILER_LF = 12;
    private static final int TRAILER_END_LF = 13;
    private static final int CHUNKED_END = 14;
    private static final int FAILED = 15;

    /** Bytes a head line may not hold (every control byte but HTAB); CR and LF are looked at again. */
    private static final boolean[] CONTROL = new boolean[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            CONTROL[c] = c != '\t';
        }
        CONTROL[0x7F] = true;
    }

    private final Listener listener;
    private int state = IDLE;
    private boolean headRequest;
    /** Pass only the data of a chunked body (for an HTTP/1.0 client); the close ends it for the client. */
    private boolean dechunk;
    /** Bytes of a head still incomplete, held at the start of {@link #scratch} (0: none). */
    private int gathered;
    /** The head being parsed, copied out of its buffer(s). */
    private byte[] scratch = new byte[1024];
    /** Length of the head {@link #parse} returned last. */
    private int headLength;
    private long remaining;
    private int chunkDigits;
    private String chunkViolation;

    ResponseReader(Listener listener) {
        this.listener = listener;
    }

    /** A request went out: its response is read next. A response to HEAD has no body, whatever its head says. */
    void expect(boolean head) {
        headRequest = head;
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
                        readChunked(in);
                        break;
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
                    head = parse(scratch, copied);
                } while (head == null && copied < available && copied <= MAX_HEAD);
                if (head == null) {
                    if (copied > MAX_HEAD) {
                        return fail("response head over " + MAX_HEAD + " bytes");
                    }
                    gathered = copied; // the whole buffer: the head goes on in the next one
                    in.readerIndex(start + copied);
                    return false;
                }
                in.readerIndex(start + headLength);
            } else {
                int take = Math.min(in.readableBytes(), MAX_HEAD + 1 - gathered);
                int at = in.readerIndex();
                int from = gathered;
                int size = from + take;
                ensureScratch(size);
                in.getBytes(at, scratch, from, take);
                // A head can only have ended if a line did: a piece without LF is not parsed again.
                head = containsLf(scratch, from, size) ? parse(scratch, size) : null;
                if (head == null) {
                    in.readerIndex(at + take);
                    gathered = size;
                    return size <= MAX_HEAD ? false : fail("response head over " + MAX_HEAD + " bytes");
                }
                // Only the head's own bytes are taken from this buffer: the rest is the body.
                in.readerIndex(at + take - (size - headLength));
                gathered = 0;
            }
        } catch (Refused r) {
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
            scratch = java.util.Arrays.copyOf(scratch, Math.max(size, scratch.length * 2));
        }
    }

    /** Tells the listener about a head; false if the reader has failed meanwhile. */
    private boolean head(ResponseHead head, ByteBuf in) {
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
                startChunk();
                break;
            default:
                state = UNTIL_CLOSE;
                break;
        }
        listener.responseHead(head);
        return state != FAILED;
    }

    /**
     * Parses the head at the start of {@code b[0..end)}: null while its empty line has not come yet,
     * else the head, with {@link #headLength} set to its length.
     */
    private ResponseHead parse(byte[] b, int end) {
        int start = 0;
        // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
        int lf = lineEnd(b, start, end);
        if (lf < 0) {
            return null;
        }
        if (lf - start < 13 || !isHttp1(b, start) || b[start + 8] != ' ') {
            throw new Refused("malformed status line");
        }
        boolean http10 = b[start + 7] == '0';
        int status = 0;
        for (int i = start + 9; i < start + 12; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new Refused("malformed status code");
            }
            status = status * 10 + d;
        }
        if (lf - 1 > start + 12 && b[start + 12] != ' ') {
            throw new Refused("malformed status line");
        }
        if (status < 100) {
            throw new Refused("status code " + status);
        }
        if (status == 101) {
            throw new Refused("101 Switching Protocols (upgrades are not forwarded)");
        }
        int[] kept = new int[16];
        kept[0] = start + 9;
        kept[1] = lf + 1;
        int keptCount = 2;
        // Lines to strip because Connection names them are only known at the end: names are remembered.
        int[] names = null;
        int nameCount = 0;
        String[] connectionTokens = null;
        int tokenCount = 0;
        boolean close = false;
        boolean keepAlive = false;
        long contentLength = -1;
        boolean transferEncoding = false;
        boolean chunked = false;
        int teStart = 0;
        int teEnd = 0;
        int lines = 0;
        int ls = lf + 1;
        while (true) {
            lf = lineEnd(b, ls, end);
            if (lf < 0) {
                return null;
            }
            if (lf == ls + 1) {
                break; // the empty line
            }
            if (++lines > MAX_HEADERS) {
                throw new Refused("more than " + MAX_HEADERS + " header lines");
            }
            int c = b[ls] & 0xFF;
            if (c == ' ' || c == '\t') {
                throw new Refused("obs-fold in a response header");
            }
            int colon = ls;
            while ((c = b[colon] & 0xFF) != ':') {
                if (!HttpSyntax.tchar(c)) {
                    throw new Refused("invalid header name");
                }
                colon++;
            }
            if (colon == ls) {
                throw new Refused("empty header name");
            }
            int nameLength = colon - ls;
            int vs = colon + 1;
            int ve = lf - 1;
            while (vs < ve && isWs(b[vs])) {
                vs++;
            }
            while (ve > vs && isWs(b[ve - 1])) {
                ve--;
            }
            boolean keep;
            if (nameLength == 10 && named(b, ls, "connection")) {
                keep = false;
                for (int ts = vs; ts < ve; ) {
                    int te = ts;
                    while (te < ve && b[te] != ',') {
                        te++;
                    }
                    int next = te + 1;
                    while (ts < te && isWs(b[ts])) {
                        ts++;
                    }
                    while (te > ts && isWs(b[te - 1])) {
                        te--;
                    }
                    if (te - ts == 5 && named(b, ts, "close")) {
                        close = true;
                    } else if (te - ts == 10 && named(b, ts, "keep-alive")) {
                        keepAlive = true;
                    } else if (te > ts) {
                        if (connectionTokens == null) {
                            connectionTokens = new String[4];
                        } else if (tokenCount == connectionTokens.length) {
                            connectionTokens = java.util.Arrays.copyOf(connectionTokens, tokenCount * 2);
                        }
                        connectionTokens[tokenCount++] = new String(b, ts, te - ts, java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    ts = next;
                }
            } else if (nameLength == 14 && named(b, ls, "content-length")) {
                keep = true;
                long n = contentLength(b, vs, ve);
                if (contentLength >= 0 && contentLength != n) {
                    throw new Refused("Content-Length values differ");
                }
                contentLength = n;
            } else if (nameLength == 17 && named(b, ls, "transfer-encoding")) {
                if (transferEncoding) {
                    throw new Refused("more than one Transfer-Encoding line");
                }
                transferEncoding = true;
                chunked = lastCodingIsChunked(b, vs, ve);
                keep = false; // kept apart, see ResponseHead
                teStart = ls;
                teEnd = lf + 1;
            } else {
                keep = !HttpSyntax.hopByHop(b, ls, nameLength);
            }
            if (keep) {
                if (keptCount == kept.length) {
                    kept = java.util.Arrays.copyOf(kept, keptCount * 2);
                }
                kept[keptCount++] = ls;
                kept[keptCount++] = lf + 1;
                if (names == null) {
                    names = new int[16];
                } else if (nameCount == names.length) {
                    names = java.util.Arrays.copyOf(names, nameCount * 2);
                }
                names[nameCount++] = nameLength;
            }
            ls = lf + 1;
        }
        if (transferEncoding && contentLength >= 0) {
            throw new Refused("Transfer-Encoding together with Content-Length");
        }
        if (connectionTokens != null) {
            keptCount = stripNamed(b, kept, keptCount, names, connectionTokens, tokenCount);
        }
        // Adjacent ranges become one: fewer copies when the head is written.
        int merged = 0;
        for (int i = 0; i < keptCount; i += 2) {
            if (merged > 0 && kept[merged - 1] == kept[i]) {
                kept[merged - 1] = kept[i + 1];
            } else {
                kept[merged++] = kept[i];
                kept[merged++] = kept[i + 1];
            }
        }
        keptCount = merged;
        ResponseHead.Body body;
        if (status < 200 || status == 204 || status == 304 || headRequest) {
            body = ResponseHead.Body.NONE;
        } else if (transferEncoding) {
            body = chunked ? ResponseHead.Body.CHUNKED : ResponseHead.Body.UNTIL_CLOSE;
        } else if (contentLength >= 0) {
            body = contentLength == 0 ? ResponseHead.Body.NONE : ResponseHead.Body.LENGTH;
        } else {
            body = ResponseHead.Body.UNTIL_CLOSE;
        }
        headLength = lf + 1;
        boolean persistent = body != ResponseHead.Body.UNTIL_CLOSE && !close && (!http10 || keepAlive);
        return new ResponseHead(status, body, contentLength, persistent, b, kept, keptCount, teStart, teEnd);
    }

    /** Drops the kept header lines whose names the Connection header listed (never the framing ones). */
    private static int stripNamed(byte[] b, int[] kept, int keptCount, int[] names, String[] tokens, int tokenCount) {
        int out = 2;
        for (int i = 2, n = 0; i < keptCount; i += 2, n++) {
            int ls = kept[i];
            int length = names[n];
            boolean strip = false;
            for (int t = 0; t < tokenCount && !strip; t++) {
                String token = tokens[t];
                strip = token.length() == length && named(b, ls, token.toLowerCase(java.util.Locale.ROOT))
                        && !token.equalsIgnoreCase("content-length") && !token.equalsIgnoreCase("transfer-encoding");
            }
            if (!strip) {
                kept[out++] = kept[i];
                kept[out++] = kept[i + 1];
            }
        }
        return out;
    }

    private static boolean isHttp1(byte[] b, int at) {
        return b[at] == 'H' && b[at + 1] == 'T' && b[at + 2] == 'T' && b[at + 3] == 'P'
                && b[at + 4] == '/' && b[at + 5] == '1' && b[at + 6] == '.'
                && (b[at + 7] == '0' || b[at + 7] == '1');
    }

    private static boolean isWs(byte c) {
        return c == ' ' || c == '\t';
    }

    /**
     * The LF ending the line that starts at {@code from}, which must be preceded by CR and hold no
     * other CR or control byte; -1 when the line has not ended by {@code to}.
     */
    private static int lineEnd(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (CONTROL[b[i] & 0xFF]) {
                int c = b[i];
                if (c == LF) {
                    if (i == from || b[i - 1] != CR) {
                        throw new Refused("response header line without CRLF");
                    }
                    return i;
                }
                if (c != CR) {
                    throw new Refused("control character in a response head");
                }
                if (i + 1 < to && b[i + 1] != LF) {
                    throw new Refused("bare CR in a response head");
                }
            }
        }
        return -1;
    }

    /** A Content-Length value: digits, or a comma-separated list of identical ones. */
    private static long contentLength(byte[] b, int from, int to) {
        long value = -1;
        int i = from;
        while (true) {
            while (i < to && isWs(b[i])) {
                i++;
            }
            long n = 0;
            int digits = 0;
            int c;
            while (i < to && (c = b[i]) >= '0' && c <= '9') {
                if (n > (Long.MAX_VALUE - 9) / 10) {
                    throw new Refused("Content-Length too large");
                }
                n = n * 10 + (c - '0');
                digits++;
                i++;
            }
            while (i < to && isWs(b[i])) {
                i++;
            }
            if (digits == 0) {
                throw new Refused("invalid Content-Length");
            }
            if (value >= 0 && value != n) {
                throw new Refused("Content-Length values differ");
            }
            value = n;
            if (i == to) {
                return value;
            }
            if (b[i] != ',') {
                throw new Refused("invalid Content-Length");
            }
            i++;
        }
    }

    private static boolean lastCodingIsChunked(byte[] b, int from, int to) {
        int comma = to - 1;
        while (comma >= from && b[comma] != ',') {
            comma--;
        }
        int s = comma < from ? from : comma + 1;
        while (s < to && isWs(b[s])) {
            s++;
        }
        return to - s == 7 && named(b, s, "chunked");
    }

    // ---- chunked bodies

    private void startChunk() {
        state = CHUNK_SIZE;
        remaining = 0;
        chunkDigits = 0;
    }

    /** Follows chunk framing over the buffer, passing the bytes on as they are, up to the end of the body. */
    private void readChunked(ByteBuf in) {
        int start = in.readerIndex();
        int i = start;
        int end = in.writerIndex();
        while (i < end && state != CHUNKED_END && state != FAILED) {
            if (state == CHUNK_DATA) {
                int n = (int) Math.min(remaining, end - i);
                if (dechunk && n > 0) {
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
            listener.responseInvalid(chunkViolation);
            return;
        }
        in.readerIndex(i);
        if (i > start && !dechunk) {
            listener.responseBody(in.retainedSlice(start, i - start));
        }
        if (state == CHUNKED_END) {
            end(in);
        }
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
                        return chunkFail("chunk size too large");
                    }
                    remaining = remaining * 16 + digit;
                    return remaining >= 0 || chunkFail("chunk size too large");
                }
                if (chunkDigits == 0) {
                    return chunkFail("invalid chunk size");
                }
                state = CHUNK_EXT;
                return process(b);
            }
            case CHUNK_EXT:
                if (c == CR) {
                    state = CHUNK_SIZE_LF;
                    return true;
                }
                return (c >= 0x20 && c != 0x7F) || c == '\t' || chunkFail("invalid chunk line");
            case CHUNK_SIZE_LF:
                if (c != LF) {
                    return chunkFail("bare CR in a chunk line");
                }
                if (remaining == 0) {
                    state = TRAILER_START;
                    return true;
                }
                state = CHUNK_DATA;
                return false;
            case CHUNK_DATA_CR:
                state = CHUNK_DATA_LF;
                return c == CR || chunkFail("chunk data not followed by CRLF");
            case CHUNK_DATA_LF:
                if (c != LF) {
                    return chunkFail("chunk data not followed by CRLF");
                }
                startChunk();
                return true;
            case TRAILER_START:
                if (c == CR) {
                    state = TRAILER_END_LF;
                    return true;
                }
                if (c == ' ' || c == '\t' || !HttpSyntax.tchar(c)) {
                    return chunkFail("invalid trailer line");
                }
                state = TRAILER_LINE;
                return true;
            case TRAILER_LINE:
                if (c == CR) {
                    state = TRAILER_LF;
                    return true;
                }
                return (c >= 0x20 && c != 0x7F) || c == '\t' || chunkFail("invalid trailer line");
            case TRAILER_LF:
                state = TRAILER_START;
                return c == LF || chunkFail("bare CR in a trailer line");
            case TRAILER_END_LF:
                if (c != LF) {
                    return chunkFail("bare CR after the trailer");
                }
                state = CHUNKED_END;
                return false;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private boolean chunkFail(String reason) {
        chunkViolation = "invalid chunked response body: " + reason;
        state = FAILED;
        return false;
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

    /** A head that cannot be framed safely. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }
}
