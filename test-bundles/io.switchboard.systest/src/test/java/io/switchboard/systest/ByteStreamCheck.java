package io.switchboard.systest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One long TCP connection through a frontend to an echo back-end, checked byte for byte. It sends
 * at a steady pace until told to finish, then the rest of its minimum volume at full speed, and half
 * closes; the check holds when every byte came back, in order, and the stream ended cleanly.
 */
final class ByteStreamCheck implements AutoCloseable {
    /** A pattern of prime length, so a byte lost, doubled or moved shows as a mismatch. */
    private static final byte[] PATTERN = pattern(1_048_573);
    private static final int CHUNK = 64 * 1024;

    private final Socket socket;
    private final long minimumBytes;
    private final long pacedBytesPerSecond;
    private final CountDownLatch finish = new CountDownLatch(1);
    private final CountDownLatch received = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicReference<String> problem = new AtomicReference<>();

    ByteStreamCheck(int port, long minimumBytes, long pacedBytesPerSecond) throws IOException {
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        this.minimumBytes = minimumBytes;
        this.pacedBytesPerSecond = pacedBytesPerSecond;
        EchoBackends.daemon("stream-check-send", this::send);
        EchoBackends.daemon("stream-check-receive", this::receive);
    }

    long sent() {
        return sent.get();
    }

    /** Sends what is left of the minimum, half-closes, and waits for the last byte back; null when all is well. */
    String finish(long timeoutSeconds) throws InterruptedException {
        finish.countDown();
        if (!received.await(timeoutSeconds, TimeUnit.SECONDS)) {
            return "stream not complete after " + timeoutSeconds + " s: sent " + sent.get() + ", echoed " + echoed.get();
        }
        if (problem.get() != null) {
            return problem.get();
        }
        return echoed.get() == sent.get() ? null : "sent " + sent.get() + " bytes, got back " + echoed.get();
    }

    private void send() {
        try {
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            while (finish.getCount() > 0 || sent.get() < minimumBytes) {
                if (finish.getCount() > 0) {
                    long due = (long) ((System.nanoTime() - start) / 1e9 * pacedBytesPerSecond);
                    if (sent.get() >= due) {
                        finish.await(10, TimeUnit.MILLISECONDS);
                        continue;
                    }
                }
                int offset = (int) (sent.get() % PATTERN.length);
                int n = Math.min(CHUNK, PATTERN.length - offset);
                out.write(PATTERN, offset, n);
                sent.addAndGet(n);
            }
            socket.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            problem.compareAndSet(null, "sending failed after " + sent.get() + " bytes: " + e);
            received.countDown();
        }
    }

    private void receive() {
        try {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = in.read(buf)) >= 0) {
                long at = echoed.get();
                for (int i = 0; i < n; i++) {
                    if (buf[i] != PATTERN[(int) ((at + i) % PATTERN.length)]) {
                        problem.compareAndSet(null, "byte " + (at + i) + " differs");
                        break;
                    }
                }
                echoed.addAndGet(n);
            }
        } catch (IOException e) {
            problem.compareAndSet(null, "receiving failed after " + echoed.get() + " bytes: " + e);
        } finally {
            received.countDown();
        }
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        new SplittableRandom(42).nextBytes(b);
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
