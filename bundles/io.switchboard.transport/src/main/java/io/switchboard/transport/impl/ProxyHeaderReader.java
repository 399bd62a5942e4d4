package io.switchboard.transport.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads a connection's PROXY protocol header before its protocol sees anything. Netty's decoder sits
 * first in the pipeline under the name {@code "proxy-protocol"} (before a TLS handler and the
 * protocol's handlers); this handler, right behind it, waits for the decoded header (reading one
 * chunk at a time, so nothing runs ahead), takes the client address from it, and only then hands
 * the connection to the protocol ({@code accept}) and fires {@code channelActive} for its handlers:
 * a TCP relay never opens its back-end before the header is read. Bytes that came with the header,
 * and a half-close, are held and given to the protocol as the answer to its first read. A header
 * that is malformed, too large, of a version the frontend does not take, or not complete in time
 * closes the connection, counted as refused.
 */
final class ProxyHeaderReader extends ChannelDuplexHandler {
    static final String DECODER = "proxy-protocol";
    static final String READER = "proxy-protocol-reader";

    private enum Phase { HEADER, HANDING_OVER, HELD, DONE }

    private final ProxiedBinding binding;
    private final String frontend;
    /** Creates the flow with the client's address and hands the connection to the protocol. */
    private final Consumer<InetSocketAddress> handOver;
    private final Runnable counted;
    private Phase phase = Phase.HEADER;
    private ScheduledFuture<?> timeout;
    private CompositeByteBuf held;
    private List<Object> heldEvents;
    private boolean readRequested;
    /** The connection was refused: what is still in flight is dropped. */
    private boolean refused;

    private ProxyHeaderReader(ProxiedBinding binding, String frontend, Consumer<InetSocketAddress> handOver, Runnable counted) {
        this.binding = binding;
        this.frontend = frontend;
        this.handOver = handOver;
        this.counted = counted;
    }

    /**
     * Sets up a connection of a frontend behind proxies: one from an address the frontend does not
     * trust is closed at once; else the decoder and this reader go first, reading on demand.
     */
    static void install(SocketChannel ch, ProxiedBinding binding, String frontend, Consumer<InetSocketAddress> handOver,
                        Runnable counted) {
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        if (!binding.settings.trusts(peer.getAddress())) {
            counted.run();
            binding.refused(frontend, "untrusted", "source " + peer.getAddress().getHostAddress() + " is not in proxyProtocolFrom");
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // a reset: nothing of it is read
            ch.close();
            return;
        }
        ch.config().setAutoRead(false);
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // a header, bytes and a FIN at once lose nothing
        ch.pipeline().addFirst(DECODER, new HAProxyMessageDecoder(ProxyProtocolSettings.MAX_TLV_BYTES, true));
        ch.pipeline().addAfter(DECODER, READER, new ProxyHeaderReader(binding, frontend, handOver, counted));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Not passed on: the protocol's handlers are not there yet; they get theirs at the hand-over.
        timeout = ctx.executor().schedule(() -> {
            if (phase == Phase.HEADER) {
                refuse(ctx, "late", "no PROXY protocol header within " + binding.settings.timeoutMillis + " ms");
            }
        }, binding.settings.timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.HEADER && msg instanceof HAProxyMessage) {
            HAProxyMessage header = (HAProxyMessage) msg;
            try {
                header(ctx, header);
            } finally {
                header.release();
            }
        } else if (phase == Phase.HANDING_OVER && msg instanceof ByteBuf) {
            // What came right behind the header (the decoder passes it on as it leaves).
            if (held == null) {
                held = ctx.alloc().compositeBuffer();
            }
            held.addComponent(true, (ByteBuf) msg);
        } else if (phase == Phase.DONE && !refused) {
            ctx.fireChannelRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void header(ChannelHandlerContext ctx, HAProxyMessage header) {
        boolean v2 = header.protocolVersion() == HAProxyProtocolVersion.V2;
        if (v2 ? !binding.settings.v2 : !binding.settings.v1) {
            refuse(ctx, "version", "a PROXY protocol " + (v2 ? "v2" : "v1") + " header, but the frontend takes "
                    + (v2 ? "v1" : "v2") + " only");
            return;
        }
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        HAProxyProxiedProtocol p = header.proxiedProtocol();
        if (header.command() == HAProxyCommand.PROXY
                && (p == HAProxyProxiedProtocol.TCP4 || p == HAProxyProxiedProtocol.TCP6)) {
            try {
                // A literal address (the decoder checked it): no name lookup.
                client = new InetSocketAddress(InetAddress.getByName(header.sourceAddress()), header.sourcePort());
            } catch (java.net.UnknownHostException e) {
                refuse(ctx, "malformed", "a PROXY protocol header with a bad source address");
                return;
            }
        }
        // LOCAL (the proxy's own health check), UNKNOWN, or not TCP: the connection stands for itself.
        timeout.cancel(false);
        phase = Phase.HANDING_OVER;
        InetSocketAddress c = client;
        // After the decoder has left and passed on what came behind the header (this read batch).
        ctx.executor().execute(() -> handOver(ctx, c));
    }

    private void handOver(ChannelHandlerContext ctx, InetSocketAddress client) {
        if (!ctx.channel().isActive()) {
            release();
            return;
        }
        // The protocol sets the channel up as on any new connection.
        ctx.channel().config().setAutoRead(true);
        readRequested = false; // that was the setting's own read; with auto-read one is made below
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        if (ctx.pipeline().get(DECODER) != null) {
            ctx.pipeline().remove(DECODER);
        }
        handOver.accept(client);
        if (!ctx.channel().isActive()) {
            release();
            return;
        }
        ctx.fireChannelActive();
        phase = Phase.HELD;
        if (ctx.channel().config().isAutoRead()) {
            readRequested = true;
        }
        if (readRequested) {
            deliver(ctx);
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (phase == Phase.HANDING_OVER) {
            readRequested = true; // answered once the protocol is set up
        } else if (phase == Phase.HELD) {
            deliver(ctx);
        } else {
            ctx.read();
        }
    }

    /** Gives the protocol what came with the header, as the answer to its first read, then leaves. */
    private void deliver(ChannelHandlerContext ctx) {
        phase = Phase.DONE;
        CompositeByteBuf bytes = held;
        List<Object> events = heldEvents;
        held = null;
        heldEvents = null;
        ctx.pipeline().remove(this);
        if (bytes != null) {
            ctx.fireChannelRead(bytes);
            ctx.fireChannelReadComplete();
        }
        if (events != null) {
            if (ctx.channel().config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)) {
                for (Object e : events) {
                    ctx.fireUserEventTriggered(e);
                }
            } else {
                ctx.close(); // as the socket would on a FIN when the protocol takes no half-close
            }
            return;
        }
        // The protocol's read was answered with the held bytes; without any, it goes to the socket.
        // With auto-read the socket must be asked once: the read that setting it made stopped here.
        if (ctx.channel().isActive() && (bytes == null || ctx.channel().config().isAutoRead())) {
            ctx.read();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (phase == Phase.HEADER && ctx.channel().isActive()) {
            ctx.read(); // the header is not complete yet
        } else if (phase == Phase.DONE) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (phase == Phase.DONE) {
            ctx.fireUserEventTriggered(evt);
        } else if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
            if (phase == Phase.HEADER) {
                refuse(ctx, "cut short", "the connection ended before a complete PROXY protocol header");
            } else {
                if (heldEvents == null) {
                    heldEvents = new ArrayList<>(2);
                }
                heldEvents.add(evt);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refused) {
            return;
        }
        if (phase == Phase.DONE) {
            ctx.fireExceptionCaught(cause);
        } else {
            Throwable why = cause.getCause() != null ? cause.getCause() : cause; // the decoder wraps its own
            refuse(ctx, "malformed", "bad PROXY protocol header: " + why.getMessage());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (phase == Phase.DONE) {
            ctx.fireChannelInactive();
            return;
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        release();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (phase != Phase.DONE) {
            release();
        }
    }

    private void refuse(ChannelHandlerContext ctx, String kind, String why) {
        if (phase != Phase.HEADER && phase != Phase.HANDING_OVER) {
            return;
        }
        phase = Phase.DONE;
        refused = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        release();
        if (ctx.pipeline().get(DECODER) != null) {
            ctx.pipeline().remove(DECODER); // nothing more is decoded, nor reported
        }
        counted.run();
        binding.refused(frontend, kind, why + " from " + ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress());
        ctx.channel().close();
    }

    private void release() {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
