package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A strict byte-level check of the client's request framing, in front of the HTTP decoder. A
 * {@link RequestStreamScanner} follows the framing of the stream and says what is wrong with it.
 * A request whose head lies whole in one buffer and needs nothing of the decoder or the validator
 * (see {@link #fastHead}) is passed on by this handler itself, straight to the validator (the decoder
 * would only pass it on): its head as a {@link RequestHead}, its body as slices of the buffers, its
 * end as the decoder would mark it. The other bytes go to the decoder unchanged, in order.
 *
 * <p>On a violation, the bytes of the messages before the offending one still go to the decoder, the
 * rest is dropped, and the {@link RequestFramingValidator} answers (400) and closes. Sizes are the
 * decoder's business (414, 431). This handler also runs the request-head timer: armed when the first
 * byte of a head arrives while no response is in progress, cancelled when the head is complete.
 */
final class RequestHeadScanner extends ChannelInboundHandlerAdapter {
    private final RequestFramingValidator validator;
    private final long headTimeoutMillis;
    private final RequestStreamScanner stream = new RequestStreamScanner();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    /** The head the timer is for, as {@link RequestStreamScanner#headSeq()} counted it. */
    private int timerSeq;
    /** Bytes after a request asking for an upgrade, until the proxy knows what they are (null: none). */
    private ByteBuf held;
    /** Held bytes past which the socket is not read any more until the upgrade is decided. */
    static final int MAX_HELD = 64 * 1024;

    /** Whether whole bodiless heads skip the decoder (off: every byte goes through it, as a check of the two paths). */
    private final boolean fastHeads;
    private final int maxLineBytes;
    private final int maxHeaderBytes;

    RequestHeadScanner(RequestFramingValidator validator, long headTimeoutMillis) {
        this(validator, headTimeoutMillis, HttpSettings.DEFAULTS, true);
    }

    RequestHeadScanner(RequestFramingValidator validator, long headTimeoutMillis, HttpSettings settings, boolean fastHeads) {
        this.validator = validator;
        this.headTimeoutMillis = headTimeoutMillis;
        this.maxLineBytes = settings.maxUriBytes;
        this.maxHeaderBytes = settings.maxHeaderBytes;
        this.fastHeads = fastHeads;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        if (stream.failed()) {
            buf.release();
            return;
        }
        int from = buf.readerIndex();
        /** Bytes before this index have gone on (to the decoder, or as a head or body of their own). */
        int sent = from;
        if (bodyLeft > 0) {
            // The rest of the body of a head passed on by itself (the scan skips it by count as well).
            int n = (int) Math.min(bodyLeft, buf.readableBytes());
            bodyLeft -= n;
            body(buf, from, n);
            sent += n;
        }
        for (;;) {
            int found = stream.scan(buf, from);
            if (found == RequestStreamScanner.HEAD) {
                from = stream.headEnd();
                RequestHead head = fastHead(buf);
                if (head != null) {
                    int start = stream.lineStart();
                    if (start > sent) {
                        ctx.fireChannelRead(buf.retainedSlice(sent, start - sent));
                    }
                    // As the decoder would: the head, then its body's parts, the end last.
                    validator.passedOn(head);
                    long length = stream.bodyLength();
                    int n = (int) Math.min(length, buf.writerIndex() - from);
                    bodyLeft = length - n;
                    body(buf, from, n);
                    sent = from + n;
                }
                continue;
            }
            if (found == RequestStreamScanner.VIOLATION) {
                // The messages before the offending one go on; it and everything after it are dropped.
                cancelTimer();
                int messageStart = stream.messageStart();
                int upTo = messageStart >= 0 ? messageStart : sent;
                if (upTo > sent) {
                    ctx.fireChannelRead(buf.retainedSlice(sent, upTo - sent));
                }
                buf.release();
                validator.violation(stream.violation());
                return;
            }
            if (sent > buf.readerIndex()) {
                buf.readerIndex(sent); // what went on as heads is not the decoder's
            }
            if (found == RequestStreamScanner.HELD) {
                hold(buf);
            } else if (buf.isReadable()) {
                ctx.fireChannelRead(buf);
            } else {
                buf.release();
            }
            updateTimer();
            return;
        }
    }

    /** Body bytes of the request last passed on by itself that have not come yet. */
    private long bodyLeft;

    /** Body bytes of a request passed on by itself, as a part of its content; the end after the last. */
    private void body(ByteBuf buf, int at, int n) {
        if (n > 0) {
            validator.passedOn(new DefaultHttpContent(buf.retainedSlice(at, n)));
        }
        if (bodyLeft == 0) {
            validator.passedOn(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /**
     * The head the scan stopped at, as a flyweight, when it can skip the decoder: a request in
     * origin-form, with one Host (or an HTTP/1.0 one without), no Transfer-Encoding, at most one
     * Content-Length written as the decoder would leave it (no leading zero, no list), well inside
     * the decoder's limits. Null: its bytes go to the decoder (and the validator) as any other request's.
     */
    private RequestHead fastHead(ByteBuf buf) {
        if (!fastHeads) {
            return null;
        }
        int line = stream.lineStart();
        int targetStart = stream.targetStart();
        int headEnd = stream.headEnd();
        // The decoder's limits, with room to spare: 414 and 431 remain its verdicts.
        if (targetStart - line + (stream.targetEnd() - targetStart) + 11 >= maxLineBytes || headEnd - line >= maxHeaderBytes) {
            return null;
        }
        if (buf.getByte(targetStart) != '/') {
            return null; // absolute-form and "*" are the validator's
        }
        int methodLength = stream.methodEnd() - line;
        if (methodLength == 7 && buf.getByte(line) == 'C' && buf.getByte(line + 1) == 'O' && buf.getByte(line + 2) == 'N') {
            return null; // CONNECT (405)
        }
        int[] f = stream.fieldOffsets();
        int n = stream.fieldCount();
        int hosts = 0;
        int lengths = 0;
        for (int i = 0; i < n; i++) {
            int at = f[i * 4];
            int length = f[i * 4 + 1] - at;
            if (length == 4 && named(buf, at, "host")) {
                hosts++;
            } else if (length == 14 && named(buf, at, "content-length")) {
                // The decoder rewrites (and moves) any other: a list, a repeated field, a leading zero.
                if (++lengths > 1 || !canonicalNumber(buf, f[i * 4 + 2], f[i * 4 + 3])) {
                    return null;
                }
            } else if (length == 17 && named(buf, at, "transfer-encoding")) {
                return null;
            }
        }
        if (hosts > 1 || (hosts == 0 && !stream.http10())) {
            return null; // rejected by the validator
        }
        stream.dropNewestFraming(); // this head's (0): the validator never sees it
        return RequestHead.copy(buf, line, stream.methodEnd(), targetStart, stream.targetEnd(), stream.http10(), f, n, headEnd);
    }

    /** Digits alone, without a leading zero (but "0"). */
    private static boolean canonicalNumber(ByteBuf buf, int from, int to) {
        if (to == from || (buf.getByte(from) == '0' && to - from > 1)) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte c = buf.getByte(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean named(ByteBuf buf, int at, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = buf.getByte(at + i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The bytes up to the end of the upgrade request go on; the rest waits for the upgrade to be decided. */
    private void hold(ByteBuf buf) {
        int from = buf.readerIndex();
        int at = stream.holdAt();
        if (at > from) {
            ctx.fireChannelRead(buf.retainedSlice(from, at - from));
        }
        buf.readerIndex(at);
        if (!buf.isReadable()) {
            buf.release();
        } else if (held == null) {
            held = buf;
        } else {
            held = ctx.alloc().compositeBuffer().addComponents(true, held, buf);
        }
        if (held != null && held.readableBytes() > MAX_HELD) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Whether the scan waits for an upgrade to be decided. */
    boolean holding() {
        return stream.holding();
    }

    /** The back-end did not switch: the bytes after the request are scanned as HTTP and go on. */
    void resume() {
        stream.resume();
        ByteBuf b = held;
        held = null;
        if (b != null) {
            channelRead(ctx, b);
            ctx.fireChannelReadComplete(); // as a read from the socket would: the batch ends, what it began is flushed
        }
    }

    /** The back-end switched: the bytes held are the tunnel's (null: none); the scan is over. */
    ByteBuf takeHeld() {
        ByteBuf b = held;
        held = null;
        return b;
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** The framing of the oldest head passed on whose request the validator has not seen; {@link RequestFramingHeaders#UNKNOWN} if none. */
    long pollFraming() {
        return stream.pollFraming();
    }

    void clearFraming() {
        stream.clearFraming();
    }

    /** The validator has no response in progress any more: a head that started meanwhile gets its timer now. */
    void responsesDone() {
        updateTimer();
    }

    private void updateTimer() {
        if (!stream.headInProgress() || stream.failed() || headTimeoutMillis <= 0 || ctx == null || !ctx.channel().isActive()) {
            cancelTimer();
            return;
        }
        if (timer != null && timerSeq == stream.headSeq()) {
            return; // the same head is still coming in: its deadline stands
        }
        cancelTimer();
        // While a response is in progress the client may rightly wait for it (and the socket is not read).
        if (!validator.busy()) {
            timerSeq = stream.headSeq();
            timer = ctx.executor().schedule(this::headTimedOut, headTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void headTimedOut() {
        timer = null;
        if (!stream.headInProgress() || stream.failed() || validator.busy()) {
            return; // a busy connection re-arms when its responses are done
        }
        stream.timedOut();
        validator.headTimedOut(headTimeoutMillis);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
