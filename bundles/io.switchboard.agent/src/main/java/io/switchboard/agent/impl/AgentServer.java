package io.switchboard.agent.impl;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Function;

/**
 * The agent's TCP server: one thread and one selector for every connection, so a crowd of clients
 * (or clients that never read) costs memory for their small buffers, not threads. Each connection is
 * read for a short window, answered once and closed; see {@link AgentConnection}. With
 * {@code maxConnections} open at once the server stops accepting: new clients wait in the kernel's
 * backlog (bounded too) until an answered connection frees a place, a read window later at most.
 */
final class AgentServer implements Closeable {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Function<String, String> answers;
    private final long readWindowNanos;
    private final long writeTimeoutNanos;
    private final int maxConnections;
    private final System.Logger log;
    private final Thread thread;
    private volatile boolean closed;

    private AgentServer(ServerSocketChannel server, Selector selector, Function<String, String> answers,
                        int readWindowMillis, int writeTimeoutMillis, int maxConnections, System.Logger log) {
        this.server = server;
        this.selector = selector;
        this.answers = answers;
        this.readWindowNanos = readWindowMillis * 1_000_000L;
        this.writeTimeoutNanos = writeTimeoutMillis * 1_000_000L;
        this.maxConnections = maxConnections;
        this.log = log;
        this.thread = new Thread(this::run, "switchboard-agent-server");
        thread.setDaemon(true);
    }

    /**
     * Binds and starts serving.
     *
     * @param answers from what the client sent in its read window to the answer line
     * @throws IOException if the address cannot be bound; nothing is left open then
     */
    static AgentServer start(InetSocketAddress bind, Function<String, String> answers, int readWindowMillis,
                             int writeTimeoutMillis, int maxConnections, System.Logger log) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            // A restarted agent (or a bundle update) binds again at once, despite TIME_WAIT connections.
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, 128);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        AgentServer s = new AgentServer(server, selector, answers, readWindowMillis, writeTimeoutMillis, maxConnections, log);
        s.thread.start();
        return s;
    }

    /** The port bound (useful after binding port 0). */
    int port() {
        return server.socket().getLocalPort();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.socket().getLocalSocketAddress();
    }

    /** Stops serving, closes every connection and the listening socket, and waits for the thread. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            SelectionKey accepting = server.keyFor(selector);
            while (!closed) {
                selector.select(this::ready, waitMillis());
                expire();
                accepting.interestOps(openConnections() < maxConnections ? SelectionKey.OP_ACCEPT : 0);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.log(Level.ERROR, "agent server stopped: " + e, e);
            }
        } finally {
            for (SelectionKey k : selector.keys()) {
                closeQuietly(k.channel());
            }
            closeQuietly(selector);
            closeQuietly(server);
        }
    }

    private void ready(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept();
        } else if (key.attachment() instanceof AgentConnection c) {
            c.onReady(System.nanoTime());
        }
    }

    private void accept() {
        SocketChannel ch;
        try {
            for (int open = openConnections(); open < maxConnections && (ch = server.accept()) != null; open++) {
                ch.configureBlocking(false);
                long now = System.nanoTime();
                SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
                key.attach(new AgentConnection(key, answers, now + readWindowNanos, writeTimeoutNanos, log));
            }
        } catch (IOException e) {
            // Out of file descriptors, or the client gave up at once: the next accept may do better.
            log.log(Level.DEBUG, "accept failed: " + e);
        }
    }

    /** Answers connections whose read window closed and drops those too slow to take their answer. */
    private void expire() {
        long now = System.nanoTime();
        for (SelectionKey k : selector.keys()) {
            if (k.isValid() && k.attachment() instanceof AgentConnection c && now - c.deadline() >= 0) {
                c.onDeadline(now);
            }
        }
    }

    private int openConnections() {
        int n = 0;
        for (SelectionKey k : selector.keys()) {
            if (k.isValid() && k.attachment() instanceof AgentConnection) {
                n++;
            }
        }
        return n;
    }

    /** Until the nearest deadline; 0 (no limit) with no connection open. */
    private long waitMillis() {
        long now = System.nanoTime();
        long min = Long.MAX_VALUE;
        for (SelectionKey k : selector.keys()) {
            if (k.isValid() && k.attachment() instanceof AgentConnection c) {
                min = Math.min(min, c.deadline() - now);
            }
        }
        return min == Long.MAX_VALUE ? 0 : Math.max(1, (min + 999_999) / 1_000_000);
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing more to do for a socket that is gone
        }
    }
}
