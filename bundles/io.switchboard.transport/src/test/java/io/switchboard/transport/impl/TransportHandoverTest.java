package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.GRACE_SECONDS;
import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.listeningSockets;
import static io.switchboard.transport.impl.TransportTestSupport.register;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.testkit.LeakWatch;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The transport handed from one version to the next as a bundle update does it: the leaving
 * version deactivates and leaves its state through the system bundle, the next one activates and
 * takes it. A real framework (no bundles installed) carries the state; the transports themselves
 * are plain objects activated as Declarative Services would.
 */
class TransportHandoverTest {
    private Framework framework;
    private BundleContext context;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFramework(@TempDir Path storage) throws Exception {
        Map<String, String> config = Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        context = framework.getBundleContext();
    }

    @AfterEach
    void stopFramework() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
        LeakWatch.assertNoLeaks();
    }

    /** A new version of the transport as DS brings it up: references bound first, then activated. */
    private Transport activate(LineProtocol protocol) {
        return activate(protocol, Map.of("eventLoops", 2, "transport", TransportTestSupport.TRANSPORT));
    }

    private Transport activate(LineProtocol protocol, Map<String, Object> config) {
        Transport t = new Transport();
        Consumer<String> out = line -> {
            log.add(line);
            System.out.println(line);
        };
        t.logTo(out);
        register(t, "line", protocol);
        t.activate(context, new HashMap<>(config));
        return t;
    }

    @Test
    void connectionsAndListenersSurviveThreeHandovers() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        Transport t = activate(line);
        assertNull(t.frontendSettings(Map.of("gracePeriodSeconds", GRACE_SECONDS)));
        t.apply(spec("web", "line", 0));
        int port = status(t, "web").boundPort();
        Hammer hammer = new Hammer(port);
        Thread hammering = new Thread(hammer, "hammer");
        try (Client before = new Client(port); Client busy = new Client(port)) {
            assertEquals("v1#1 hello", before.ask("hello"));
            hammering.start();
            hammer.awaitAnswers(50);
            busy.send("wait 500");
            for (int version = 2; version <= 4; version++) {
                t.deactivate();
                t = activate(line);
                assertEquals(version - 1, log.stream().filter(l -> l.contains("transport taken over from the previous version: "
                        + TransportTestSupport.TRANSPORT + ", 2 event loops, 1 frontends")).count(), log.toString());
                assertEquals(TransportTestSupport.TRANSPORT, t.name(), "the adopted loops are known for what they are");
                hammer.awaitAnswers(50);
            }
            hammer.stop();
            hammering.join(10_000);

            // A listener is always there: nothing is refused. A closing listener's waiting connections move
            // to the others only when the kernel migrates them (tcp_migrate_req), else they are reset.
            List<String> lost = migrates() ? hammer.failures : hammer.failures.stream().filter(f -> f.contains("refused")).collect(Collectors.toList());
            assertEquals(0, lost.size(), () -> lost.size() + " of " + (hammer.answers.get() + hammer.failures.size())
                    + " connections during the hand-overs failed, e.g. " + new TreeSet<>(lost));
            assertTrue(hammer.bindings.containsAll(Set.of("v1#1", "v1#2", "v1#3", "v1#4")),
                    "every version's listeners answered: " + hammer.bindings);
            // connections accepted by the first version run on, unaware
            assertEquals("v1#1 waited 500", busy.read());
            assertEquals("v1#1 hello", before.ask("hello"));
            assertEquals(List.of(), line.events(before));
            try (Client after = new Client(port)) {
                assertEquals("v1#4 hello", after.ask("hello"));
            }
            // the settings, the counters and the drains went along; the port is bound once per accepting loop
            assertEquals(GRACE_SECONDS * 1000L, t.currentSettings().gracePeriodMillis);
            assertEquals(hammer.answers.get() + 3, status(t, "web").totalConnections());
            assertEquals(2, status(t, "web").acceptors());
            assertEquals(2, listeningSockets(port), "listening sockets on the port after the hand-overs");
        } finally {
            hammer.stop();
            t.stop();
        }
        assertEquals(0, listeningSockets(port));
        try (ServerSocket free = new ServerSocket(port, 1, LOOPBACK)) {
            assertEquals(port, free.getLocalPort());
        }
    }

    /**
     * Activated before Config Admin had its configuration (the files are read by another bundle), the
     * transport runs on the defaults (auto: io_uring here); the first configuration naming another transport starts it again
     * on that one, its frontends bound again. A later change of transport is refused as always.
     */
    @Test
    void theFirstConfigurationChoosesTheTransportEvenWhenItComesAfterTheStart() throws Exception {
        assumeTrue("epoll".equals(TransportTestSupport.TRANSPORT), "once (the defaults are io_uring, the configuration says epoll)");
        assumeTrue(io.netty.channel.uring.IoUring.isAvailable(), "io_uring loads here");
        LineProtocol line = new LineProtocol("v1");
        Transport t = activate(line, Map.of("eventLoops", 2));
        try {
            assertEquals("io_uring", t.name());
            assertNull(t.frontendSettings(Map.of("gracePeriodSeconds", GRACE_SECONDS)));
            t.apply(spec("web", "line", 0));
            int port = status(t, "web").boundPort();
            try (Client c = new Client(port)) {
                assertEquals("v1#1 hello", c.ask("hello"));
            }
            t.modified(new HashMap<>(Map.of("eventLoops", 2, "transport", "epoll", Constants.SERVICE_PID, Transport.PID)));
            assertEquals("epoll", t.name());
            assertEquals(1, log.stream().filter(l -> l.contains("transport io_uring started before its configuration was read; it starts again on epoll (1 frontends bind again)")).count(), log.toString());
            assertEquals(GRACE_SECONDS * 1000L, t.currentSettings().gracePeriodMillis, "the shared settings went along");
            int again = status(t, "web").boundPort();
            try (Client c = new Client(again)) {
                assertTrue(c.ask("hello").matches("v1#\\d+ hello"), "served on the new loops");
            }
            t.modified(new HashMap<>(Map.of("eventLoops", 2, "transport", "io_uring", Constants.SERVICE_PID, Transport.PID)));
            assertEquals("epoll", t.name());
            assertEquals(1, log.stream().filter(l -> l.contains("switching between transports")).count(), log.toString());
        } finally {
            t.stop();
        }
    }

    @Test
    void theConnectionTableAndItsCountersGoToTheNextVersion() throws Exception {
        Map<String, Object> config = Map.of("eventLoops", 2, "connectionTableSize", 1, "transport", TransportTestSupport.TRANSPORT);
        LineProtocol line = new LineProtocol("v1");
        Transport t = activate(line, config);
        try {
            assertNull(t.frontendSettings(Map.of("gracePeriodSeconds", GRACE_SECONDS)));
            t.apply(spec("web", "line", 0));
            int port = status(t, "web").boundPort();
            try (Client listed = new Client(port); Client over = new Client(port)) {
                assertEquals("v1#1 hello", listed.ask("hello"));
                assertEquals("v1#1 hello", over.ask("hello"));
                long id = t.flows().get(0).id();
                assertEquals("1 tracked of at most 1, 1 open untracked, 1 untracked since start", t.connectionTable().toString());

                t.deactivate();
                t = activate(line, config);
                assertEquals(List.of(id), t.flows().stream().map(f -> f.id()).collect(Collectors.toList()), "the same flow is listed");
                assertEquals("1 tracked of at most 1, 1 open untracked, 1 untracked since start", t.connectionTable().toString());

                // flows the first version opened leave the table the second one reads
                over.close();
                listed.close();
                Transport now = t;
                TransportTestSupport.eventually(2000, () -> now.connectionTable().tracked() == 0 && now.connectionTable().untrackedOpen() == 0,
                        () -> "both flows gone: " + now.connectionTable());
                try (Client after = new Client(port)) {
                    assertEquals("v1#2 hello", after.ask("hello"));
                    assertEquals(1, t.flows().size());
                    assertTrue(t.flows().get(0).id() > id, "flow ids go on from the previous version's");
                }
            }
        } finally {
            t.stop();
        }
    }

    private static boolean migrates() throws IOException {
        return Files.exists(Spawner.MIGRATE_REQ) && Files.readString(Spawner.MIGRATE_REQ).trim().equals("1");
    }

    /** Connects in a loop, asks once on each connection, and notes every connection that did not get its answer. */
    private static final class Hammer implements Runnable {
        private final int port;
        private volatile boolean stop;
        final AtomicInteger answers = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final Set<String> bindings = ConcurrentHashMap.newKeySet();

        Hammer(int port) {
            this.port = port;
        }

        void stop() {
            stop = true;
        }

        void awaitAnswers(int more) throws InterruptedException {
            int target = answers.get() + more;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (answers.get() < target && System.nanoTime() - deadline < 0 && failures.isEmpty()) {
                Thread.sleep(5);
            }
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!stop && System.nanoTime() - deadline < 0) {
                try (Socket s = new Socket(LOOPBACK, port)) {
                    s.setSoTimeout(5000);
                    s.setSoLinger(true, 0); // no TIME_WAIT pile-up from thousands of short connections
                    s.getOutputStream().write("hello\n".getBytes(US_ASCII));
                    String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII)).readLine();
                    if (answer == null || !answer.endsWith(" hello")) {
                        failures.add("answer: " + answer);
                    } else {
                        answers.incrementAndGet();
                        bindings.add(answer.substring(0, answer.indexOf(' ')));
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                }
            }
        }
    }
}
