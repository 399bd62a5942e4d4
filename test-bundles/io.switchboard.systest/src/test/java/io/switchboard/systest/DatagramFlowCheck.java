package io.switchboard.systest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One UDP flow (one client socket) through a frontend to an echo back-end: a datagram of random
 * content every few milliseconds, each answer compared with what was sent. Counts answers that
 * were exact, differed, or never came.
 */
final class DatagramFlowCheck implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 5_000;
    private final DatagramSocket socket;
    private final long intervalMillis;
    private volatile boolean running = true;
    private final Thread thread;
    final AtomicLong exact = new AtomicLong();
    final AtomicLong differed = new AtomicLong();
    final AtomicLong lost = new AtomicLong();

    DatagramFlowCheck(int port, long intervalMillis) throws IOException {
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.socket.setSoTimeout(TIMEOUT_MILLIS);
        this.intervalMillis = intervalMillis;
        this.thread = new Thread(this::run, "datagram-check");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] in = new byte[2048];
        for (long seq = 0; running; seq++) {
            byte[] out = new byte[8 + random.nextInt(32, 1200)];
            random.nextBytes(out);
            ByteBuffer.wrap(out).putLong(seq);
            try {
                socket.send(new DatagramPacket(out, out.length));
                awaitAnswer(seq, out, in);
                Thread.sleep(intervalMillis);
            } catch (IOException e) {
                lost.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads until the answer to this datagram arrives (a late answer to an earlier one is skipped). */
    private void awaitAnswer(long seq, byte[] sent, byte[] in) throws IOException {
        while (true) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                lost.incrementAndGet();
                return;
            }
            long got = p.getLength() >= 8 ? ByteBuffer.wrap(in).getLong() : -1;
            if (got >= 0 && got < seq) {
                continue;
            }
            if (Arrays.equals(sent, 0, sent.length, in, 0, p.getLength())) {
                exact.incrementAndGet();
            } else {
                differed.incrementAndGet();
            }
            return;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TIMEOUT_MILLIS * 2L);
        socket.close();
    }

    @Override
    public String toString() {
        return exact.get() + " datagrams answered exactly, " + differed.get() + " differed, " + lost.get() + " lost";
    }
}
