package io.switchboard.transport.impl;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.switchboard.api.Endpoint;
import io.switchboard.api.transport.BackendPool;
import java.net.ConnectException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Back-end connections to local:NAME endpoints: local channels on the transport's own native (epoll or io_uring) loops. */
class LocalEndpointTest {
    private Transport transport;
    private EventLoopGroup serverGroup;
    private Channel server;

    @BeforeEach
    void start() throws Exception {
        transport = TransportTestSupport.nativeTransport(1, l -> { });
        serverGroup = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        server = new ServerBootstrap().group(serverGroup).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg); // echo
                            }
                        });
                    }
                }).bind(new LocalAddress("echo-test")).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().awaitUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        transport.stop();
    }

    @Test
    void aLocalEndpointIsConnectedOnTheClientsOwnNativeLoop() throws Exception {
        EventLoop loop = transport.loops().loop(0);
        BackendPool pool = transport.pool();
        BlockingQueue<String> answers = new ArrayBlockingQueue<>(4);
        BlockingQueue<Boolean> onLoop = new ArrayBlockingQueue<>(4);
        Endpoint e = Endpoint.local("admin", "echo-test", 1);
        ChannelFuture f = loop.submit(() -> pool.connect(loop, e, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                answers.add(b.toString(US_ASCII));
                onLoop.add(ctx.channel().eventLoop() == loop && loop.inEventLoop());
                b.release();
            }
        }, 1000)).get();
        assertTrue(f.await(5, TimeUnit.SECONDS) && f.isSuccess(), () -> "connected: " + f.cause());
        assertSame(loop, f.channel().eventLoop());
        assertEquals(1, (int) loop.submit(() -> pool.openConnections(e)).get());
        f.channel().writeAndFlush(Unpooled.copiedBuffer("ping", US_ASCII));
        assertEquals("ping", answers.poll(5, TimeUnit.SECONDS));
        assertTrue(onLoop.poll(5, TimeUnit.SECONDS), "the answer is read on the client's own loop");

        // Pooled like any connection: released, polled back, counted until closed.
        loop.submit(() -> pool.release("test", e, f.channel())).get();
        assertSame(f.channel(), loop.submit(() -> pool.pollIdle("test", e)).get());
        f.channel().close().sync();
        awaitZero(loop, pool, e);
    }

    @Test
    void aLocalEndpointWithNoApplicationRefusesTheConnection() throws Exception {
        EventLoop loop = transport.loops().loop(0);
        Endpoint e = Endpoint.local("gone", "nobody-here", 1);
        ChannelFuture f = loop.submit(() -> transport.pool().connect(loop, e, new ChannelInboundHandlerAdapter(), 1000)).get();
        assertTrue(f.await(5, TimeUnit.SECONDS));
        assertFalse(f.isSuccess());
        assertInstanceOf(ConnectException.class, f.cause());
        awaitZero(loop, transport.pool(), e);
    }

    @Test
    void aLocalEndpointTakesNoDatagrams() throws Exception {
        EventLoop loop = transport.loops().loop(0);
        ChannelFuture f = transport.pool().connectDatagram(loop, Endpoint.local("x", "echo-test", 1), new ChannelInboundHandlerAdapter());
        assertTrue(f.await(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, f.cause());
    }

    private static void awaitZero(EventLoop loop, BackendPool pool, Endpoint e) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (loop.submit(() -> pool.openConnections(e)).get() != 0) {
            assertTrue(System.nanoTime() < deadline, "the connection is no longer counted once closed");
            Thread.sleep(10);
        }
    }
}
