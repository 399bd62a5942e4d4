package io.switchboard.transport.impl;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.transport.DatagramBinding;
import io.switchboard.api.transport.DatagramFlowHandler;
import io.switchboard.api.transport.DatagramProtocol;
import io.switchboard.api.transport.DrainEvent;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.testkit.LeakWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the transport's tests share: a small line protocol whose answers name the binding that
 * served them, a blocking line client, a transport on real native loops (epoll, or io_uring when the
 * build runs the tests a second time with {@code -Dsb.test.transport=io_uring}), and a look at the kernel's
 * listening sockets. Everything listens and connects on 127.0.0.1 only.
 */
final class TransportTestSupport {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The grace period every test runs with: drains end at this deadline. */
    static final int GRACE_SECONDS = 1;
    private static final AtomicLong SERVICE_IDS = new AtomicLong(100);

    /** The native transport the tests run on: {@code epoll}, or {@code io_uring} (the pom's second test run). */
    static final String TRANSPORT = System.getProperty("sb.test.transport", "epoll");

    private TransportTestSupport() {
    }

    /** A transport outside a framework on the tests' native transport; fails when it fell back to another. */
    static Transport nativeTransport(int eventLoops, java.util.function.Consumer<String> log) {
        Transport t = Transport.standalone(eventLoops, TRANSPORT, log);
        assertEquals(TRANSPORT, t.name(), () -> "the transport fell back: " + t.fallbackReason());
        assertNull(t.fallbackReason());
        return t;
    }

    /** A transport outside a framework on real native loops, with a short grace period; closing it checks for leaked buffers. */
    static final class Rig implements AutoCloseable {
        final Transport transport;
        final List<String> log = new CopyOnWriteArrayList<>();

        Rig(int eventLoops) {
            transport = nativeTransport(eventLoops, this::log);
            assertNull(transport.frontendSettings(Map.of("gracePeriodSeconds", GRACE_SECONDS)));
        }

        void log(String line) {
            log.add(line);
            System.out.println(line);
        }

        /** Registers the protocol as a service of a protocol bundle would be; a later one replaces it as an update does. */
        Rig protocol(String name, LineProtocol p) {
            register(transport, name, p);
            return this;
        }

        /** Starts a frontend on 127.0.0.1 and returns the port it listens on; fails when it does not listen. */
        int frontend(FrontendSpec spec) {
            transport.apply(spec);
            FrontendStatus s = status(transport, spec.name());
            if (!s.listening()) {
                throw new AssertionError("frontend " + spec.name() + " does not listen: " + s.error());
            }
            return s.boundPort();
        }

        /** The log lines containing the fragment. */
        List<String> logged(String fragment, String... more) {
            List<String> out = new ArrayList<>();
            for (String l : log) {
                if (l.contains(fragment) && List.of(more).stream().allMatch(l::contains)) {
                    out.add(l);
                }
            }
            return out;
        }

        @Override
        public void close() {
            transport.stop();
            LeakWatch.assertNoLeaks();
        }
    }

    static void register(Transport t, String name, LineProtocol p) {
        t.addProtocol(name, p, p.serviceId, 0, "test.protocol " + p.version, 7);
    }

    /** A datagram protocol that sends every datagram back to its client. */
    static final class EchoDatagrams implements DatagramProtocol {
        @Override
        public Map<String, String> options() {
            return Map.of();
        }

        @Override
        public DatagramBinding bind(FrontendSpec frontend) {
            return flow -> new DatagramFlowHandler() {
                @Override
                public void datagram(ByteBuf data) {
                    flow.reply(data);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    static void register(Transport t, String name, EchoDatagrams p) {
        t.addProtocol(name, p, SERVICE_IDS.incrementAndGet(), 0, "test.echo 1.0.0", 8);
    }

    static FrontendSpec spec(String name, String protocol, int port) {
        return spec(name, protocol, port, Map.of());
    }

    static FrontendSpec spec(String name, String protocol, int port, Map<String, String> options) {
        return new FrontendSpec(name, protocol, "127.0.0.1", port, "test", Map.of(), options, null);
    }

    static FrontendStatus status(Transport t, String frontend) {
        for (FrontendStatus s : t.frontends()) {
            if (s.spec().name().equals(frontend)) {
                return s;
            }
        }
        throw new AssertionError("no frontend " + frontend + " in " + t.frontends());
    }

    /**
     * A line protocol. Each binding is named {@code VERSION#N} (the Nth bind of this protocol
     * object, {@code /TAG} added when the frontend's option {@code tag} is set), and every answer
     * starts with that name. Requests: {@code hello}; {@code loop} (answers the event loop's thread
     * name); {@code wait MS} (work in progress for MS milliseconds, then the answer); {@code tunnel}
     * (the connection becomes open-ended, as a byte relay or an upgraded connection is). It keeps
     * {@link DrainEvent#BUSY} up to date; once drained it closes after its next answer, and a
     * {@link DrainEvent#STOP} closes it at once when idle.
     */
    static final class LineProtocol implements StreamProtocol {
        final String version;
        final long serviceId = SERVICE_IDS.incrementAndGet();
        private final AtomicInteger binds = new AtomicInteger();
        /** The drain events each connection received, by the client's port. */
        private final Map<Integer, List<String>> events = new ConcurrentHashMap<>();

        LineProtocol(String version) {
            this.version = version;
        }

        @Override
        public Map<String, String> options() {
            return Map.of("tag", "a word every answer carries (a-z, 0-9, '-')");
        }

        @Override
        public StreamBinding bind(FrontendSpec frontend) {
            String tag = frontend.options().get("tag");
            if (tag != null && !tag.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("key 'tag': '" + tag + "' is not a tag (a-z, 0-9, '-')");
            }
            String name = version + "#" + binds.incrementAndGet() + (tag == null ? "" : "/" + tag);
            return c -> {
                Channel ch = c.channel();
                ch.attr(DrainEvent.BUSY).set(false);
                ch.pipeline().addLast(new LineBasedFrameDecoder(256), new LineHandler(name, events));
            };
        }

        /** The drain events the server side of this client's connection received, e.g. [DRAIN]. */
        List<String> events(Client client) {
            return events.getOrDefault(client.localPort(), List.of());
        }
    }

    private static final class LineHandler extends ChannelInboundHandlerAdapter {
        private final String binding;
        private final Map<Integer, List<String>> events;
        private boolean busy;
        private boolean draining;

        LineHandler(String binding, Map<Integer, List<String>> events) {
            this.binding = binding;
            this.events = events;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            String[] words = b.toString(US_ASCII).trim().split(" ");
            b.release();
            switch (words[0]) {
                case "hello":
                    answer(ctx, "hello");
                    break;
                case "loop":
                    answer(ctx, Thread.currentThread().getName());
                    break;
                case "tunnel":
                    ctx.channel().attr(DrainEvent.OPEN_ENDED).set(true);
                    answer(ctx, "tunnel");
                    break;
                case "wait":
                    long ms = Long.parseLong(words[1]);
                    busy(ctx, true);
                    ctx.executor().schedule(() -> answer(ctx, "waited " + ms), ms, TimeUnit.MILLISECONDS);
                    break;
                default:
                    answer(ctx, "what? " + String.join(" ", words));
            }
        }

        private void busy(ChannelHandlerContext ctx, boolean b) {
            busy = b;
            ctx.channel().attr(DrainEvent.BUSY).set(b);
        }

        private void answer(ChannelHandlerContext ctx, String text) {
            busy(ctx, false);
            ChannelFuture f = ctx.writeAndFlush(Unpooled.copiedBuffer(binding + " " + text + "\n", US_ASCII));
            if (draining) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof DrainEvent)) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            DrainEvent e = (DrainEvent) evt;
            events.computeIfAbsent(((InetSocketAddress) ctx.channel().remoteAddress()).getPort(), p -> new CopyOnWriteArrayList<>())
                    .add(e.toString());
            draining = true;
            if (!busy && e.closeIdleNow()) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A blocking line client on 127.0.0.1. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket(LOOPBACK, port);
            socket.setSoTimeout(5000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII));
            out = socket.getOutputStream();
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(US_ASCII));
            out.flush();
        }

        /** The next line, or null when the server closed the connection. */
        String read() throws IOException {
            try {
                return in.readLine();
            } catch (SocketException reset) {
                return null;
            }
        }

        String ask(String line) throws IOException {
            send(line);
            return read();
        }

        /** Whether the server closes the connection within the time, sending nothing more. */
        boolean closedWithin(long millis) throws IOException {
            socket.setSoTimeout((int) millis);
            try {
                String line = read();
                if (line != null) {
                    throw new AssertionError("expected the connection to close, got: " + line);
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } finally {
                socket.setSoTimeout(5000);
            }
        }

        int localPort() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Waits until the condition holds, checking every 10 ms; fails with the description after the time. */
    static void eventually(long millis, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + millis + " ms: " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** The one drain whose reason contains the fragment, once it is done. */
    static DrainRecord drainDone(Transport t, String reasonFragment, long millis) {
        eventually(millis, () -> drains(t, reasonFragment).size() == 1 && drains(t, reasonFragment).get(0).done(),
                () -> "one finished drain for '" + reasonFragment + "' in " + t.drains());
        return drains(t, reasonFragment).get(0);
    }

    static List<DrainRecord> drains(Transport t, String reasonFragment) {
        List<DrainRecord> out = new ArrayList<>();
        for (DrainRecord d : t.drains()) {
            if (d.reason().contains(reasonFragment)) {
                out.add(d);
            }
        }
        return out;
    }

    /** A port nobody listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** Whether a connection to the port on 127.0.0.1 is refused. */
    static boolean refused(int port) throws IOException {
        try (Socket s = new Socket(LOOPBACK, port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    /** TCP sockets listening on the port, on any address, as the kernel lists them. */
    static int listeningSockets(int port) throws IOException {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        int n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    n++;
                }
            }
        }
        return n;
    }
}
