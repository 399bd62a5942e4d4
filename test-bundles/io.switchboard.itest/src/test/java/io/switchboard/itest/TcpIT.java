package io.switchboard.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** L4 TCP through the platform: owned by the tcp handler, byte-exact, half-close, broken peers. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TcpIT extends PlatformTestSupport {
    private static final long HUNDRED_MIB = 100L << 20;

    @Inject
    private IntelligentSwitch switchboard;

    @Inject
    private ClusterDirectory clusters;

    private ServerSocket backend;
    private volatile boolean resetMidStream;
    private int port;

    @Before
    public void start() throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::serve, "tcp-it-backend");
        acceptor.setDaemon(true);
        acceptor.start();
        configure("io.switchboard.cluster", "echo", "endpoints", "127.0.0.1:" + backend.getLocalPort());
        configure("io.switchboard.frontend", "echo", "protocol", "tcp", "address", "127.0.0.1", "port", 0, "cluster", "echo");
        port = awaitListening("echo");
        // a cluster an earlier test configured may still carry that test's back-end: wait for this one's
        await("cluster echo", () -> clusters.cluster("echo") != null && clusters.cluster("echo").ready()
                && clusters.cluster("echo").endpoints().stream().anyMatch(e -> e.port() == backend.getLocalPort()));
    }

    @After
    public void stop() throws IOException {
        backend.close();
    }

    /** Echoes each connection until its end of input, then says nothing more and closes. */
    private void serve() {
        while (!backend.isClosed()) {
            try {
                Socket s = backend.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        byte[] buf = new byte[64 * 1024];
                        long total = 0;
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            out.write(buf, 0, n);
                            total += n;
                            if (resetMidStream && total > (1 << 20)) {
                                s.setSoLinger(true, 0); // close sends RST
                                return;
                            }
                        }
                    } catch (IOException e) {
                        // client went away
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    public void aHundredMebibytesComeBackByteExactAndTheFlowIsOwnedByTheTcpHandler() throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(30_000);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            AtomicReference<Exception> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    Random random = new Random(42);
                    byte[] chunk = new byte[256 * 1024];
                    OutputStream out = client.getOutputStream();
                    for (long written = 0; written < HUNDRED_MIB; written += chunk.length) {
                        random.nextBytes(chunk);
                        sent.update(chunk);
                        out.write(chunk);
                    }
                    client.shutdownOutput(); // half-close: the echo must still come back whole
                } catch (IOException e) {
                    writerFailure.set(e);
                }
            });
            writer.start();
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = client.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            boolean ownerChecked = false;
            int n;
            while ((n = in.read(buf)) > 0) {
                received.update(buf, 0, n);
                total += n;
                if (!ownerChecked && total > (8 << 20)) {
                    TrackedFlow flow = frontends.flows().stream().filter(f -> f.frontend().equals("echo")).findFirst().orElseThrow();
                    assertEquals("tcp", flow.owner());
                    ownerChecked = true;
                }
            }
            writer.join();
            assertEquals(null, writerFailure.get());
            assertEquals(HUNDRED_MIB, total);
            assertArrayEquals(sent.digest(), received.digest());
            assertTrue(ownerChecked);
        }
        await("the flow to end", () -> frontends.flows().stream().noneMatch(f -> f.frontend().equals("echo")));
    }

    @Test
    public void aClientThatLeavesMidStreamEndsTheFlowAndItsBackendConnection() throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.getOutputStream().write(new byte[4 << 20]);
            client.getInputStream().read(new byte[1024]);
            client.setSoLinger(true, 0);
        }
        await("the flow to end", () -> frontends.flows().stream().noneMatch(f -> f.frontend().equals("echo")));
        await("no connection left on the frontend", () -> frontend("echo").activeConnections() == 0);
    }

    @Test
    public void aBackendResetMidStreamClosesTheClient() throws Exception {
        resetMidStream = true;
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(10_000);
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(new byte[8 << 20]);
                } catch (IOException expected) {
                    // the connection ends under the writer
                }
            });
            writer.start();
            long total = 0;
            try {
                int n;
                byte[] buf = new byte[64 * 1024];
                while ((n = client.getInputStream().read(buf)) > 0) {
                    total += n;
                }
            } catch (IOException reset) {
                // a reset is a fine way to learn the stream ended
            }
            writer.join();
            assertTrue("less than everything came back: " + total, total < (8 << 20));
        } finally {
            resetMidStream = false;
        }
        await("the flow to end", () -> frontends.flows().stream().noneMatch(f -> f.frontend().equals("echo")));
    }
}
