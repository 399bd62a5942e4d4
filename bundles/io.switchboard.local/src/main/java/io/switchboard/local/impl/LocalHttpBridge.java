package io.switchboard.local.impl;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.switchboard.api.local.LocalApplication;
import io.switchboard.api.local.LocalRequest;
import io.switchboard.api.local.LocalResponse;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One connection to a local application: each whole request is handed to the application on the
 * caller pool, and its answer written back. Requests on a connection are answered one at a time, in
 * order: the connection is not read while one is with the application. Whatever the application
 * does wrong (throws, returns nothing, gives a header Netty refuses) fails that request only, with a
 * 500, and the connection goes on.
 */
final class LocalHttpBridge extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String name;
    private final Function<String, LocalApplication> current;
    private final Executor callers;
    private final FailureLog failures;

    LocalHttpBridge(String name, Function<String, LocalApplication> current, Executor callers, FailureLog failures) {
        this.name = name;
        this.current = current;
        this.callers = callers;
        this.failures = failures;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (msg.decoderResult().isFailure()) {
            answer(ctx, HttpTranslation.error(HttpResponseStatus.BAD_REQUEST, "bad request: " + msg.decoderResult().cause(), false), false);
            return;
        }
        LocalApplication app = current.apply(name);
        if (app == null) { // gone between the connect and this request
            answer(ctx, HttpTranslation.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "local application " + name + " is not registered", keepAlive), keepAlive);
            return;
        }
        LocalRequest request = HttpTranslation.request(msg);
        boolean head = HttpMethod.HEAD.equals(msg.method());
        ctx.channel().config().setAutoRead(false); // the next request waits for this answer
        try {
            callers.execute(() -> answer(ctx, call(app, request, head, keepAlive), keepAlive));
        } catch (RejectedExecutionException e) {
            failures.failed(name, "busy: every caller thread is taken and the queue is full");
            answer(ctx, HttpTranslation.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "local application " + name + " is busy", keepAlive), keepAlive);
        }
    }

    /** Runs on a caller thread. */
    private FullHttpResponse call(LocalApplication app, LocalRequest request, boolean head, boolean keepAlive) {
        try {
            LocalResponse r = app.handle(request);
            if (r == null) {
                throw new IllegalStateException("it returned no response");
            }
            return HttpTranslation.response(r, head, keepAlive);
        } catch (Throwable t) { // anything: the request fails, the platform and the connection go on
            failures.failed(name, request + " failed: " + t);
            return HttpTranslation.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "local application " + name + " failed", keepAlive);
        }
    }

    private static void answer(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            if (!keepAlive || !f.isSuccess()) {
                ctx.close();
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
