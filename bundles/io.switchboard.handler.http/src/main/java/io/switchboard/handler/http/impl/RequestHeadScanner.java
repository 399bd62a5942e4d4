package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A strict byte-level check of the client's request framing, in front of the HTTP decoder.
 *
 * <p>Every buffer goes on unchanged: nothing is copied or kept. The scanner follows the framing of
 * the stream by itself (request line and header lines byte by byte; a Content-Length body skipped
 * by count; a chunked body by its chunk lines, the data skipped by count; trailer lines byte by
 * byte), so it looks only at heads and chunk lines, never at body bytes. What it rejects is what the
 * decoder accepts silently or what two parsers could read differently: bare LF and bare CR line
 * ends, obs-fold, whitespace or other non-token bytes in a header name, control bytes in a header
 * value, Transfer-Encoding other than exactly {@code chunked} (or on HTTP/1.0, or with
 * Content-Length), Content-Length values that differ or are not plain digits, chunk sizes that are
 * not hex or have more than 16 digits, malformed chunk extensions, and the obsolete WebSocket
 * handshake whose 8-byte body the decoder would read. Identical Content-Length values (repeated
 * headers or a list) are accepted; the decoder folds them into one.
 *
 * <p>On a violation, the bytes of the messages before the offending one still go to the decoder, the
 * rest is dropped, and the {@link RequestFramingValidator} answers (400) and closes. Sizes are the
 * decoder's business (414, 431). The scanner also runs the request-head timer: armed when the first
 * byte of a head arrives while no response is in progress, cancelled when the head is complete.
 */
final class RequestHeadScanner extends ChannelInboundHandlerAdapter implements ByteProcessor {
    /** Framing recorded for a chunked request (otherwise the body length, 0 when there is none). */
    static final long CHUNKED = -1;
    /** No framing recorded (the validator sees a request the scanner has not finished). */
    static final long UNKNOWN = -2;
    static final int MAX_CHUNK_LINE = 4096;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';

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
    // Chunk lines: size [BWS] *( ";" BWS name [ BWS "=" BWS value ] ) CRLF
    private static final int CHUNK_SIZE = 16;
    private static final int CHUNK_BWS = 17;
    private static final int EXT_NAME_START = 18;
    private static final int EXT_NAME = 19;
    private static final int EXT_AFTER_NAME = 20;
    private static final int EXT_VALUE_START = 21;
    private static final int EXT_TOKEN = 22;
    private static final int EXT_QUOTED = 23;
    private static final int EXT_QUOTED_ESCAPE = 24;
    private static final int EXT_AFTER_VALUE = 25;
    private static final int EXT_AFTER_VALUE_WS = 26;
    private static final int CHUNK_LINE_LF = 27;
    private static final int FAILED = 28;

    // Header names the scanner reads the value of (lower case), as bits of a match mask.
    private static final byte[][] NAMES = {
        bytes("content-length"), bytes("transfer-encoding"), bytes("sec-websocket-key1"), bytes("sec-websocket-key2")};
    private static final int CONTENT_LENGTH = 1;
    private static final int TRANSFER_ENCODING = 2;
    private static final int ALL_NAMES = (1 << NAMES.length) - 1;
    private static final byte[] CHUNKED_CODING = bytes("chunked");
    private static final byte[] HTTP_1 = bytes("HTTP/1.");
    private static final long MAX_CONTENT_LENGTH = (Long.MAX_VALUE - 9) / 10;

    private final RequestFramingValidator validator;
    private final long headTimeoutMillis;
    private ChannelHandlerContext ctx;

    private int state = LINE_START;
    private String violation;
    /** Index (in the buffer being scanned) of the byte {@link #process} is given next. */
    private int index;
    /** Where the message being scanned began in the current buffer; -1 when it began in an earlier one. */
    private int messageStart;

    // The head being scanned.
    private boolean headInProgress;
    private int headSeq;
    private boolean http10;
    private int versionIndex;
    private boolean trailer;
    private int nameLength;
    private int nameMatches;
    private int field;
    private long contentLength;
    private long lengthValue;
    private int lengthState;
    private int codings;
    private int chunkedCodings;
    private boolean lastCodingChunked;
    private int codingLength;
    private boolean codingOther;
    private int codingState;

    // The body being skipped.
    private long remaining;
    private int chunkDigits;
    private int chunkLine;

    // Framing of heads passed on whose request the validator has not seen yet, oldest first.
    private long[] framing = new long[4];
    private int framingFirst;
    private int framingCount;

    private ScheduledFuture<?> timer;
    private int timerSeq;

    RequestHeadScanner(RequestFramingValidator validator, long headTimeoutMillis) {
        this.validator = validator;
        this.headTimeoutMillis = headTimeoutMillis;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        if (state == FAILED) {
            buf.release();
            return;
        }
        if (scan(buf)) {
            ctx.fireChannelRead(buf);
            updateTimer();
            return;
        }
        // The messages before the offending one go on; it and everything after it are dropped.
        cancelTimer();
        int from = buf.readerIndex();
        int upTo = messageStart >= 0 ? messageStart : from;
        if (upTo > from) {
            ctx.fireChannelRead(buf.retainedSlice(from, upTo - from));
        }
        buf.release();
        validator.violation(violation);
    }

    /** Follows the framing over the buffer; false at a violation. */
    private boolean scan(ByteBuf buf) {
        messageStart = -1;
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (state == FIXED_BODY || state == CHUNK_DATA) {
                int n = (int) Math.min(remaining, end - i);
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    if (state == FIXED_BODY) {
                        state = LINE_START;
                    } else {
                        state = CHUNK_DATA_CR;
                    }
                }
                continue;
            }
            index = i;
            int stop = buf.forEachByte(i, end - i, this);
            if (state == FAILED) {
                return false;
            }
            if (stop < 0) {
                break;
            }
            i = stop + 1;
        }
        return true;
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
                    return true;
                }
                return fail(c == LF ? "request line ends in a bare LF" : "invalid method");
            case TARGET_START:
            case TARGET:
                if (c > 0x20 && c != 0x7F) {
                    state = TARGET;
                    return true;
                }
                if (c == SP && state == TARGET) {
                    state = VERSION;
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
                    nameLength = 0;
                    nameMatches = trailer ? 0 : ALL_NAMES;
                    matchName(c);
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
                return field == 0 || valueByte(c);
            case FIELD_LF:
                if (c != LF) {
                    return fail("bare CR in a header line");
                }
                state = FIELD_START;
                return field == 0 || endValue();
            case END_LF:
                if (c != LF) {
                    return fail("bare CR in a header line");
                }
                if (trailer) {
                    state = LINE_START; // the chunked message is complete
                    return true;
                }
                return endHead();
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
            default:
                return chunkLine(c);
        }
    }

    private boolean chunkLine(int c) {
        if (++chunkLine > MAX_CHUNK_LINE) {
            return fail("chunk line too long");
        }
        if (c == LF) {
            return fail("chunk line ends in a bare LF");
        }
        boolean ws = c == SP || c == HTAB;
        switch (state) {
            case CHUNK_SIZE: {
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
                if (c == ';') {
                    state = EXT_NAME_START;
                    return true;
                }
                if (ws) {
                    state = CHUNK_BWS;
                    return true;
                }
                return fail("invalid character in a chunk size");
            }
            case CHUNK_BWS:
                if (ws) {
                    return true;
                }
                if (c == ';') {
                    state = EXT_NAME_START;
                    return true;
                }
                return fail("invalid chunk size line");
            case EXT_NAME_START:
                if (ws) {
                    return true;
                }
                if (HttpSyntax.tchar(c)) {
                    state = EXT_NAME;
                    return true;
                }
                return fail("invalid chunk extension");
            case EXT_NAME:
            case EXT_TOKEN:
                if (HttpSyntax.tchar(c)) {
                    return true;
                }
                if (c == '=' && state == EXT_NAME) {
                    state = EXT_VALUE_START;
                    return true;
                }
                return endOfExtensionPart(c, ws);
            case EXT_AFTER_NAME:
                if (ws) {
                    return true;
                }
                if (c == '=') {
                    state = EXT_VALUE_START;
                    return true;
                }
                if (c == ';') {
                    state = EXT_NAME_START;
                    return true;
                }
                return fail("invalid chunk extension");
            case EXT_VALUE_START:
                if (ws) {
                    return true;
                }
                if (c == '"') {
                    state = EXT_QUOTED;
                    return true;
                }
                if (HttpSyntax.tchar(c)) {
                    state = EXT_TOKEN;
                    return true;
                }
                return fail("invalid chunk extension value");
            case EXT_QUOTED:
                if (c == '"') {
                    state = EXT_AFTER_VALUE;
                    return true;
                }
                if (c == '\\') {
                    state = EXT_QUOTED_ESCAPE;
                    return true;
                }
                return c == HTAB || (c >= 0x20 && c != 0x7F) || fail("invalid quoted string in a chunk extension");
            case EXT_QUOTED_ESCAPE:
                state = EXT_QUOTED;
                return c == HTAB || (c >= 0x20 && c != 0x7F) || fail("invalid quoted string in a chunk extension");
            case EXT_AFTER_VALUE:
                if (c == CR) {
                    state = CHUNK_LINE_LF;
                    return true;
                }
                if (c == ';') {
                    state = EXT_NAME_START;
                    return true;
                }
                if (ws) {
                    state = EXT_AFTER_VALUE_WS;
                    return true;
                }
                return fail("invalid chunk extension");
            case EXT_AFTER_VALUE_WS:
                if (ws) {
                    return true;
                }
                if (c == ';') {
                    state = EXT_NAME_START;
                    return true;
                }
                return fail("invalid chunk extension");
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    /** After an extension name or token value: the line ends, another extension follows, or whitespace. */
    private boolean endOfExtensionPart(int c, boolean ws) {
        if (c == CR) {
            state = CHUNK_LINE_LF;
            return true;
        }
        if (c == ';') {
            state = EXT_NAME_START;
            return true;
        }
        if (ws) {
            state = state == EXT_NAME ? EXT_AFTER_NAME : EXT_AFTER_VALUE_WS;
            return true;
        }
        return fail("invalid chunk extension");
    }

    private void startHead(int at) {
        headInProgress = true;
        headSeq++;
        messageStart = at;
        http10 = false;
        trailer = false;
        contentLength = -1;
        codings = 0;
        chunkedCodings = 0;
        lastCodingChunked = false;
    }

    private void matchName(int c) {
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
    private boolean startValue() {
        field = 0;
        for (int i = 0; nameMatches != 0 && i < NAMES.length; i++) {
            if ((nameMatches & (1 << i)) != 0 && NAMES[i].length == nameLength) {
                field = 1 << i;
            }
        }
        if (field == CONTENT_LENGTH) {
            lengthState = 0;
            lengthValue = 0;
        } else if (field == TRANSFER_ENCODING) {
            codingState = 0;
            codingLength = 0;
            codingOther = false;
        } else if (field != 0) {
            return fail("obsolete WebSocket handshake (Sec-WebSocket-Key1/Key2)");
        }
        return true;
    }

    private boolean valueByte(int c) {
        boolean ws = c == SP || c == HTAB;
        if (field == CONTENT_LENGTH) {
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
    private boolean endValue() {
        return field == CONTENT_LENGTH ? lengthElement() : coding();
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

    /** The empty line after the header lines: the body's framing is decided here. */
    private boolean endHead() {
        headInProgress = false;
        if (codings > 0) {
            if (http10) {
                return fail("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (contentLength >= 0) {
                return fail("Transfer-Encoding together with Content-Length");
            }
            if (chunkedCodings > 1) {
                return fail("chunked transfer coding applied more than once");
            }
            if (chunkedCodings == 0) {
                return fail("final transfer coding is not chunked");
            }
            if (!lastCodingChunked) {
                return fail("transfer coding after chunked");
            }
            if (codings > 1) {
                return fail("transfer coding other than chunked");
            }
            pushFraming(CHUNKED);
            startChunk();
            return true;
        }
        long length = Math.max(contentLength, 0);
        pushFraming(length);
        if (length == 0) {
            state = LINE_START;
            return true;
        }
        remaining = length;
        state = FIXED_BODY;
        return false;
    }

    private void startChunk() {
        state = CHUNK_SIZE;
        remaining = 0;
        chunkDigits = 0;
        chunkLine = 0;
    }

    private boolean fail(String reason) {
        violation = reason;
        state = FAILED;
        headInProgress = false;
        return false;
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
    long pollFraming() {
        if (framingCount == 0) {
            return UNKNOWN;
        }
        long f = framing[framingFirst];
        framingFirst = (framingFirst + 1) % framing.length;
        framingCount--;
        return f;
    }

    void clearFraming() {
        framingCount = 0;
    }

    /** The validator has no response in progress any more: a head that started meanwhile gets its timer now. */
    void responsesDone() {
        updateTimer();
    }

    private void updateTimer() {
        if (!headInProgress || state == FAILED || headTimeoutMillis <= 0 || ctx == null || !ctx.channel().isActive()) {
            cancelTimer();
            return;
        }
        if (timer != null && timerSeq == headSeq) {
            return; // the same head is still coming in: its deadline stands
        }
        cancelTimer();
        // While a response is in progress the client may rightly wait for it (and the socket is not read).
        if (!validator.busy()) {
            timerSeq = headSeq;
            timer = ctx.executor().schedule(this::headTimedOut, headTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void headTimedOut() {
        timer = null;
        if (!headInProgress || state == FAILED || validator.busy()) {
            return; // a busy connection re-arms when its responses are done
        }
        state = FAILED;
        headInProgress = false;
        validator.headTimedOut(headTimeoutMillis);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
