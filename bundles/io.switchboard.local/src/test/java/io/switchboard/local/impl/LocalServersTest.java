package io.switchboard.local.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.api.local.LocalApplication;
import io.switchboard.api.local.LocalRequest;
import io.switchboard.api.local.LocalResponse;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Local servers over real local channels: what an application sees, what the client gets back. */
class LocalServersTest {
    private final Map<String, LocalApplication> apps = new ConcurrentHashMap<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final ExecutorService callers = Executors.newFixedThreadPool(2);
    private LocalServers servers;
    private EventLoopGroup clients;

    /** A client connection: requests go out, whole responses come back in order. */
    private final class Client implements AutoCloseable {
        final Channel ch;
        final BlockingQueue<FullHttpResponse> responses = new ArrayBlockingQueue<>(16);

        Client(String name) throws InterruptedException {
            ChannelFuture f = new Bootstrap().group(clients).channel(LocalChannel.class).handler(new ChannelInitializer<LocalChannel>() {
                @Override
                protected void initChannel(LocalChannel c) {
                    c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 22), new SimpleChannelInboundHandler<FullHttpResponse>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                            responses.add(r.retain());
                        }
                    });
                }
            }).connect(new LocalAddress(name)).await();
            if (!f.isSuccess()) {
                throw new IllegalStateException(f.cause());
            }
            ch = f.channel();
        }

        FullHttpResponse send(FullHttpRequest r) throws InterruptedException {
            r.headers().set(HttpHeaderNames.HOST, "local");
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            ch.writeAndFlush(r);
            FullHttpResponse answer = responses.poll(5, TimeUnit.SECONDS);
            assertTrue(answer != null, "a response");
            return answer;
        }

        FullHttpResponse get(String uri) throws InterruptedException {
            return send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
        }

        @Override
        public void close() {
            ch.close().awaitUninterruptibly();
        }
    }

    @BeforeEach
    void start() {
        servers = new LocalServers(apps::get, callers, new FailureLog(warnings::add));
        clients = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        servers.stop();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        callers.shutdownNow();
    }

    private static String text(FullHttpResponse r) {
        String s = r.content().toString(UTF_8);
        r.release();
        return s;
    }

    @Test
    void theApplicationSeesTheRequestAndItsAnswerGoesBack() throws Exception {
        BlockingQueue<LocalRequest> seen = new ArrayBlockingQueue<>(4);
        apps.put("t1", r -> {
            seen.add(r);
            return LocalResponse.text(201, "hello " + r.bodyText()).withHeader("X-App", "yes");
        });
        servers.open("t1");
        try (Client c = new Client("t1")) {
            DefaultFullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a/b?x=1&y=2",
                    Unpooled.copiedBuffer("world", UTF_8));
            post.headers().set("X-Forwarded-For", "10.0.0.1");
            FullHttpResponse r = c.send(post);
            assertEquals(201, r.status().code());
            assertEquals("yes", r.headers().get("X-App"));
            assertEquals("11", r.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            assertEquals("hello world", text(r));
            LocalRequest req = seen.poll(1, TimeUnit.SECONDS);
            assertEquals("POST", req.method());
            assertEquals("/a/b", req.path());
            assertEquals("x=1&y=2", req.query());
            assertEquals("10.0.0.1", req.header("x-forwarded-for"));
        }
    }

    @Test
    void anApplicationThatThrowsFailsThatRequestOnly() throws Exception {
        apps.put("t2", r -> {
            if (r.path().equals("/boom")) {
                throw new IllegalStateException("boom");
            }
            if (r.path().equals("/null")) {
                return null;
            }
            return LocalResponse.text(200, "fine");
        });
        servers.open("t2");
        try (Client c = new Client("t2")) {
            FullHttpResponse r = c.get("/boom");
            assertEquals(500, r.status().code());
            assertTrue(text(r).contains("local application t2 failed"));
            assertEquals(500, c.get("/null").status().code());
            FullHttpResponse next = c.get("/");
            assertEquals(200, next.status().code(), "the same connection serves the next request");
            assertEquals("fine", text(next));
        }
        assertTrue(warnings.get(0).contains("GET /boom failed: java.lang.IllegalStateException: boom"), warnings.toString());
        assertEquals(1, warnings.size(), "the second failure within the burst is counted, not logged: " + warnings);
    }

    @Test
    void headGetsTheLengthWithoutTheBody() throws Exception {
        apps.put("t3", r -> LocalResponse.text(200, "0123456789"));
        servers.open("t3");
        try (Client c = new Client("t3")) {
            FullHttpResponse r = c.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/"));
            assertEquals("10", r.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            assertEquals("", text(r));
            assertEquals("0123456789", text(c.get("/")));
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        apps.put("t4", r -> LocalResponse.text(200, "bye"));
        servers.open("t4");
        try (Client c = new Client("t4")) {
            DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
            r.headers().set(HttpHeaderNames.CONNECTION, "close");
            FullHttpResponse answer = c.send(r);
            assertEquals("close", answer.headers().get(HttpHeaderNames.CONNECTION));
            text(answer);
            assertTrue(c.ch.closeFuture().await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aBodyOverTheLimitIs413WithoutTheApplication() throws Exception {
        apps.put("t5", r -> {
            throw new AssertionError("not called");
        });
        servers.open("t5");
        try (Client c = new Client("t5")) {
            FullHttpResponse r = c.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                    Unpooled.wrappedBuffer(new byte[LocalRequest.MAX_BODY + 1])));
            assertEquals(413, r.status().code());
            r.release();
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void aNameWithNoServerRefusesAndAClosedOneToo() throws Exception {
        ConnectException e = assertInstanceOf(ConnectException.class,
                new Bootstrap().group(clients).channel(LocalChannel.class).handler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel c) {
                    }
                }).connect(new LocalAddress("nobody")).await().cause());
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        apps.put("t6", r -> LocalResponse.text(200, "x"));
        servers.open("t6");
        assertTrue(servers.isOpen("t6"));
        servers.close("t6");
        assertFalse(servers.isOpen("t6"));
        assertFalse(new Bootstrap().group(clients).channel(LocalChannel.class).handler(new ChannelInitializer<LocalChannel>() {
            @Override
            protected void initChannel(LocalChannel c) {
            }
        }).connect(new LocalAddress("t6")).await().isSuccess());
    }
}
