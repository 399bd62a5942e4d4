package io.switchboard.agent.impl;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * One client of the agent. HAProxy sends nothing (or its {@code agent-send} string) and waits for
 * a line, so the connection is read until a newline, end of input, a full buffer, or the end of the
 * read window, whichever comes first; then answered once and closed. An answer not taken within the
 * write timeout is dropped with the connection. Runs on the server's thread only.
 */
final class AgentConnection {
    private static final int MAX_REQUEST = 256;

    private final SelectionKey key;
    private final SocketChannel ch;
    private final Function<String, String> answers;
    private final long writeTimeoutNanos;
    private final System.Logger log;
    private final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
    private ByteBuffer out;
    private long deadline;

    AgentConnection(SelectionKey key, Function<String, String> answers, long readDeadline, long writeTimeoutNanos,
                    System.Logger log) {
        this.key = key;
        this.ch = (SocketChannel) key.channel();
        this.answers = answers;
        this.deadline = readDeadline;
        this.writeTimeoutNanos = writeTimeoutNanos;
        this.log = log;
    }

    /** When the read window ends (while reading) or the write times out (while writing), in nanoTime. */
    long deadline() {
        return deadline;
    }

    void onReady(long now) {
        try {
            if (out == null) {
                read(now);
            } else {
                write();
            }
        } catch (IOException | RuntimeException e) {
            close();
        }
    }

    void onDeadline(long now) {
        if (out == null) {
            try {
                answer(now);
            } catch (IOException | RuntimeException e) {
                close();
            }
        } else {
            abort(); // it did not take its answer in the write timeout: a stuck or hostile client
        }
    }

    private void read(long now) throws IOException {
        int n = ch.read(in);
        boolean lineEnded = false;
        for (int i = 0; i < in.position(); i++) {
            lineEnded |= in.get(i) == '\n';
        }
        if (n < 0 || lineEnded || !in.hasRemaining()) {
            answer(now);
        }
    }

    private void answer(long now) throws IOException {
        String request = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
        String reply;
        try {
            reply = answers.apply(request);
        } catch (RuntimeException e) {
            log.log(Level.ERROR, "cannot build the answer: " + e, e);
            close();
            return;
        }
        out = ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII));
        deadline = now + writeTimeoutNanos;
        write();
    }

    private void write() throws IOException {
        ch.write(out);
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            finish();
        }
    }

    /** Closes after the answer; input still waiting is read away first, so the close is a FIN, not a reset. */
    private void finish() {
        try {
            ch.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(1024);
            for (int i = 0; i < 8 && ch.read(sink) > 0; i++) {
                sink.clear();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    /**
     * Resets the connection: a plain close would leave the unsent rest of the answer to the kernel,
     * which goes on trickling it to a client that reads slowly.
     */
    private void abort() {
        try {
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    private void close() {
        key.cancel();
        AgentServer.closeQuietly(ch);
    }
}
