package io.switchboard.handler.tcp.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.switchboard.api.switching.TrackedFlow;
import java.io.IOException;

/**
 * A relay whose bytes never enter the JVM: each direction moves socket to pipe to socket with
 * splice(2), on the connection's event loop, without a lock.
 *
 * <p>Why not Netty's {@code AbstractEpollStreamChannel.spliceTo}: it cannot tell the end of a stream
 * from a full pipe (splice answers 0 to both) and shuts the input down on EPOLLRDHUP while bytes still
 * wait behind the full pipe, so the tail of a half-closed stream is lost; it also needs level-triggered
 * channels and reports neither progress (the flow's counters) nor each direction's end.
 *
 * <p>So, while spliced, both channels are deregistered from Netty and their sockets are registered
 * here, level-triggered: a socket is watched for input only while its direction's pipe is empty (the
 * pipe is the only buffer: back-pressure), for output only while bytes wait in the pipe toward it. A
 * direction ends when its pipe is empty, the socket has nothing to read and the peer's FIN was seen
 * (EPOLLRDHUP): only then is the other socket's output shut down, so no tail is lost. Once both
 * directions ended (or on an error, or when either channel is closed from outside: a drain's
 * deadline) both channels go back to Netty and close there, so their pipelines see them end.
 */
final class SpliceRelay {
    /** splice(2) through Netty's epoll transport can be used in this process. */
    static final boolean AVAILABLE = available();
    /** Asked of one splice; the pipe's capacity (64 KiB by default) bounds what one call moves. */
    private static final int CHUNK = 1 << 20;
    /** Splice rounds per readiness event; more waits for the next event so other connections get their turn. */
    private static final int ROUNDS = 16;

    private final TrackedFlow flow;
    private final EventLoop loop;
    private final Side client;
    private final Side backend;
    private boolean ended;

    private static boolean available() {
        try {
            return Epoll.isAvailable();
        } catch (Throwable t) { // the epoll classes are absent or do not load: the copying relay
            return false;
        }
    }

    /**
     * Whether the pair can be spliced: both plain epoll TCP sockets on one event loop, no TLS on
     * either. (PROXY-protocol headers and peeked bytes are written before: see {@link #start}.)
     */
    static boolean possible(Channel client, Channel backend) {
        return AVAILABLE && client instanceof EpollSocketChannel && backend instanceof EpollSocketChannel
                && client.eventLoop() == backend.eventLoop() && client.eventLoop() instanceof IoEventLoop
                && ((IoEventLoop) client.eventLoop()).isCompatible(EpollIoHandle.class)
                && client.pipeline().get(SslHandler.class) == null && backend.pipeline().get(SslHandler.class) == null;
    }

    /**
     * Splices the pair from now on; {@code copy} runs instead when it cannot be (the relay copies as
     * before). Call on the event loop once the relay's first bytes (PROXY header, the routed first
     * message) were written: they are flushed first, and the switch happens only when nothing waits
     * in either channel's outbound buffer, so no byte overtakes another.
     */
    static void start(Channel client, Channel backend, TrackedFlow flow, Runnable copy) {
        written(client).addListener(a ->
                written(backend).addListener(b -> {
                    // A failed write is fine when the output was shut meanwhile (nothing waits); a closed channel is not.
                    if (!client.isActive() || !backend.isActive()) {
                        copy.run(); // closing: the copying relay's handlers finish it
                        return;
                    }
                    new SpliceRelay(client, backend, flow).deregister(copy);
                }));
    }

    /** Completes once everything written to the channel before has reached its socket. */
    private static ChannelFuture written(Channel ch) {
        return ((EpollSocketChannel) ch).isOutputShutdown() ? ch.newSucceededFuture() : ch.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }

    private SpliceRelay(Channel client, Channel backend, TrackedFlow flow) {
        this.flow = flow;
        this.loop = client.eventLoop();
        this.client = new Side(client);
        this.backend = new Side(backend);
    }

    private void deregister(Runnable copy) {
        client.channel.deregister().addListener(a -> backend.channel.deregister().addListener(b -> {
            if (!a.isSuccess() || !b.isSuccess() || !quiet(client.channel) || !quiet(backend.channel)
                    || !client.channel.isActive() || !backend.channel.isActive()) {
                // Bytes were read (the peer's FIN came) and wait in Netty's buffers: the copying relay goes on.
                backToCopying(copy);
                return;
            }
            try {
                FileDescriptor[] up = FileDescriptor.pipe();
                FileDescriptor[] down;
                try {
                    down = FileDescriptor.pipe();
                } catch (IOException e) {
                    closeQuietly(up[0]);
                    closeQuietly(up[1]);
                    throw e;
                }
                client.from = new Direction(client, backend, up, true);
                backend.from = new Direction(backend, client, down, false);
            } catch (IOException e) { // out of file descriptors: copy
                backToCopying(copy);
                return;
            }
            client.to = backend.from;
            backend.to = client.from;
            // Closed from outside (a drain's deadline, the loop shutting down): the other one goes too.
            client.channel.closeFuture().addListener(f -> end());
            backend.channel.closeFuture().addListener(f -> end());
            flow.upgraded("splice"); // the connection table shows tcp>splice
            client.register(() -> backend.register(this::run));
        }));
    }

    /** Both channels back on Netty, their waiting bytes flushed (registering again forgets EPOLLOUT), then {@code copy}. */
    private void backToCopying(Runnable copy) {
        reRegister(client.channel, false).addListener(x -> reRegister(backend.channel, false).addListener(y -> {
            client.channel.flush();
            backend.channel.flush();
            copy.run();
        }));
    }

    /** Nothing waits in the channel's outbound buffer (written bytes would otherwise be overtaken). */
    private static boolean quiet(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null || out.isEmpty();
    }

    /** Both sockets are registered here: take over each direction in the state the copying relay left it. */
    private void run() {
        if (ended) {
            return;
        }
        for (Side s : new Side[] {client, backend}) {
            Direction d = s.from;
            // The copying relay may have passed this direction's end on already (its FIN came first).
            d.done = s.channel.isInputShutdown() || d.dst.channel.isOutputShutdown();
        }
        settle();
    }

    /** Ends the relay when both directions ended, else watches each socket for what its directions wait on. */
    private void settle() {
        if (ended) {
            return;
        }
        if (client.from.done && backend.from.done) {
            end();
            return;
        }
        client.watch();
        backend.watch();
    }

    private void ready(Side s, EpollIoOps ops) {
        if (ended) {
            return;
        }
        try {
            if (ops.contains(EpollIoOps.EPOLLERR)) {
                throw new IOException("socket error");
            }
            boolean hup = (ops.value() & EPOLLHUP) != 0;
            if (hup || ops.contains(EpollIoOps.EPOLLRDHUP)) {
                s.from.peerSentFin = true;
            }
            if (hup || ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLRDHUP)) {
                s.from.pump();
            }
            if (hup || ops.contains(EpollIoOps.EPOLLOUT)) {
                s.to.pump();
            }
            if (hup) {
                if (!s.to.done) {
                    throw new IOException("connection closed while bytes are still owed to it");
                }
                // Both halves of this socket are shut: epoll reports that at every wait, whatever is asked.
                // What is left to read here is read as the other socket takes it (its EPOLLOUT, or resume).
                s.cancel();
            }
            settle();
        } catch (IOException e) { // reset, broken pipe: the relay closes, as the copying one does
            end();
        }
    }

    /** Hands both channels back to Netty and closes them (once: later calls do nothing). */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        client.cancel();
        backend.cancel();
        if (client.from != null) {
            client.from.closePipe();
            backend.from.closePipe();
        }
        closeInNetty(client.channel);
        closeInNetty(backend.channel);
    }

    private void closeInNetty(Channel ch) {
        if (!ch.isOpen()) {
            return;
        }
        reRegister(ch, true);
    }

    /** Back on Netty's loop: its pipeline then sees the channel end (channelInactive) when {@code close}. */
    private ChannelFuture reRegister(Channel ch, boolean close) {
        if (ch.isRegistered() || !ch.isOpen()) {
            if (close) {
                ch.close();
            }
            return ch.newSucceededFuture();
        }
        ChannelFuture f = loop.register(ch);
        if (close) {
            f.addListener(x -> ch.close()); // registered or not (the loop is shutting down), it closes
        }
        return f;
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            // already closed: nothing held
        }
    }

    /** EPOLLHUP is always reported; Netty's EpollIoOps has no constant for it. */
    private static final int EPOLLHUP = 0x10;

    /** One socket of the pair, registered with the event loop while spliced. */
    private final class Side implements EpollIoHandle {
        final EpollSocketChannel channel;
        final FileDescriptor fd;
        /** The direction this socket feeds, and the one that feeds it. */
        Direction from;
        Direction to;
        private IoRegistration registration;
        private int watching = -1;

        Side(Channel channel) {
            this.channel = (EpollSocketChannel) channel;
            this.fd = this.channel.fd();
        }

        void register(Runnable then) {
            if (ended) {
                return;
            }
            Future<IoRegistration> f = ((IoEventLoop) loop).register(this);
            f.addListener(x -> {
                if (!x.isSuccess()) {
                    end();
                    return;
                }
                registration = f.getNow();
                if (ended) {
                    registration.cancel();
                    return;
                }
                then.run();
            });
        }

        /** Input while this socket's direction may read (its pipe is empty), output while bytes wait for it. */
        void watch() {
            int ops = 0;
            if (!from.done && from.pending == 0) {
                ops |= Native.EPOLLIN | Native.EPOLLRDHUP;
            }
            if (!to.done && to.pending > 0) {
                ops |= Native.EPOLLOUT;
            }
            if (ops != watching && registration != null) {
                // Never NONE: Netty 4.2.18 removes the fd from epoll on NONE and then fails the next change (ENOENT).
                registration.submit(EpollIoOps.valueOf(ops == 0 ? Native.EPOLLERR : ops));
                watching = ops;
            }
        }

        void cancel() {
            IoRegistration r = registration;
            registration = null;
            if (r != null) {
                r.cancel();
            }
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            ready(this, ((EpollIoEvent) event).ops());
        }

        @Override
        public void close() {
            end(); // the event loop is shutting down
        }
    }

    /** One direction: the source socket, its pipe, the destination socket. */
    private final class Direction {
        final Side src;
        final Side dst;
        final FileDescriptor pipeOut;
        final FileDescriptor pipeIn;
        /** Client to back-end: counted as the flow's bytes in; else as its bytes out. */
        final boolean fromClient;
        /** Bytes in the pipe, not yet in the destination socket. */
        int pending;
        /** The source's FIN was seen: once nothing is left to read, its stream ended. */
        boolean peerSentFin;
        boolean done;

        Direction(Side src, Side dst, FileDescriptor[] pipe, boolean fromClient) {
            this.src = src;
            this.dst = dst;
            this.pipeIn = pipe[0];
            this.pipeOut = pipe[1];
            this.fromClient = fromClient;
        }

        void pump() throws IOException {
            for (int round = 0; round < ROUNDS && !done; round++) {
                if (pending > 0) {
                    pending -= Native.splice(pipeIn.intValue(), -1, dst.fd.intValue(), -1, pending);
                    if (pending > 0) {
                        return; // the destination is full: EPOLLOUT resumes
                    }
                }
                int n = Native.splice(src.fd.intValue(), -1, pipeOut.intValue(), -1, CHUNK);
                if (n > 0) {
                    pending = n;
                    if (fromClient) {
                        flow.countIn(n);
                    } else {
                        flow.countOut(n);
                    }
                    continue;
                }
                // 0 with an empty pipe: nothing to read now, or the end. After the FIN it is the end.
                if (peerSentFin) {
                    done = true;
                    dst.channel.shutdownOutput(); // synchronous on the loop; the destination's peer sees the end
                }
                return;
            }
            if (!done) {
                loop.execute(this::resume); // its turn used: the rest after the other connections' events
            }
        }

        private void resume() {
            if (ended || done) {
                return;
            }
            try {
                pump();
                settle();
            } catch (IOException e) {
                end();
            }
        }

        void closePipe() {
            closeQuietly(pipeIn);
            closeQuietly(pipeOut);
        }
    }
}
