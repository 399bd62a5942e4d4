package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.eventually;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The connection path on real sockets: listeners take accepts in batches, and a burst of clients
 * connecting at once on every loop is served, each connection counted once, and every flow and
 * connection leaves the per-loop books as it closes.
 */
class ConnectionPathTest {

    @Test
    void aBurstOfClientsOnEveryLoopIsServedAndLeavesNothingInTheBooks() throws Exception {
        try (Rig rig = new Rig(2)) {
            LineProtocol line = new LineProtocol("v1");
            // the line protocol, counting one request per connection as it starts (on the connection's loop)
            rig.transport.addProtocol("line", new StreamProtocol() {
                @Override
                public Map<String, String> options() {
                    return line.options();
                }

                @Override
                public StreamBinding bind(FrontendSpec frontend) {
                    StreamBinding b = line.bind(frontend);
                    return c -> {
                        c.requestStarted();
                        b.accept(c);
                    };
                }
            }, 4711, 0, "test.protocol counting", 8);
            int port = rig.frontend(spec("web", "line", 0));
            List<Channel> listeners = rig.transport.listeners("web");
            assertEquals(2, listeners.size(), "one listener per loop");
            for (Channel l : listeners) {
                MaxMessagesRecvByteBufAllocator a = l.config().getRecvByteBufAllocator();
                assertEquals(Listeners.ACCEPTS_PER_WAKEUP, a.maxMessagesPerRead(), "accepts per wake-up on " + l);
            }

            int clients = 64;
            int rounds = 5;
            List<String> failures = new CopyOnWriteArrayList<>();
            for (int r = 0; r < rounds; r++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                List<Socket> open = new CopyOnWriteArrayList<>();
                CountDownLatch answered = new CountDownLatch(clients);
                for (int i = 0; i < clients; i++) {
                    Thread t = new Thread(() -> {
                        try {
                            go.await();
                            Socket s = new Socket(LOOPBACK, port);
                            open.add(s);
                            s.setSoTimeout(5000);
                            s.getOutputStream().write("hello\n".getBytes(US_ASCII));
                            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII)).readLine();
                            if (!"v1#1 hello".equals(answer)) {
                                failures.add("answer " + answer);
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        } finally {
                            answered.countDown();
                        }
                    });
                    threads.add(t);
                    t.start();
                }
                go.countDown();
                answered.await();
                // all connected at once: every one is listed and known to its frontend
                eventually(2000, () -> rig.transport.connectionTable().tracked() == clients,
                        () -> "all " + clients + " listed: " + rig.transport.connectionTable());
                assertEquals(clients, status(rig.transport, "web").activeConnections());
                for (Socket s : open) {
                    s.setSoLinger(true, 0); // no TIME_WAIT pile-up
                    s.close();
                }
                for (Thread t : threads) {
                    t.join();
                }
                eventually(2000, () -> rig.transport.connectionTable().tracked() == 0 && status(rig.transport, "web").activeConnections() == 0,
                        () -> "every connection left the books: " + rig.transport.connectionTable() + ", " + status(rig.transport, "web"));
            }
            assertEquals(List.of(), failures);
            assertEquals(clients * rounds, status(rig.transport, "web").totalConnections(), "each connection counted once");
            assertEquals(clients * rounds, status(rig.transport, "web").requests(), "each request counted once");
            assertTrue(rig.transport.flows().isEmpty());
        }
    }
}
