package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitStatus;
import static io.switchboard.systest.SystemTests.awaitVia;
import static io.switchboard.systest.SystemTests.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The platform's promise, measured: wrk at full load on an HTTP frontend over three nginx
 * back-ends while a script updates every bundle of the data path (from the shell, with
 * {@code sb:update} and with Felix's own {@code update} and {@code refresh}), edits the
 * cluster's endpoints, the frontend's settings and port, and the event loops. Meanwhile one long TCP
 * stream and one UDP flow run through the same runtime and are checked byte for byte. Not one
 * request may fail. What it measured goes to {@code target/live-update-report.txt}.
 */
class LiveUpdateSystemIT {
    private static final int CONNECTIONS = 64;
    private static final int STEADY_SECONDS = 10;
    private static final long STREAM_BYTES = 100L << 20;
    private static final List<String> PLATFORM = List.of("io.switchboard.transport", "io.switchboard.core",
            "io.switchboard.intelligentswitch", "io.switchboard.control", "io.switchboard.handler.default",
            "io.switchboard.handler.tcp", "io.switchboard.handler.udp", "io.switchboard.distribution.damped",
            "io.switchboard.accesslog", "io.switchboard.metrics", "io.switchboard.cluster", "io.switchboard.jgroups");
    private static final String HTTP = "io.switchboard.handler.http";
    private static final String POLICY = "io.switchboard.policy.roundrobin";

    private final List<String> updateProblems = new CopyOnWriteArrayList<>();
    private final List<String> drainsCut = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> updates = Collections.synchronizedMap(new LinkedHashMap<>());

    @Test
    void everyBundleUpdatedAndEveryFileEditedUnderFullLoadLosesNothing() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int web = RuntimeProcess.freePort();
        int aux = RuntimeProcess.freePort();
        int auxMoved = RuntimeProcess.freePort();
        int stream = RuntimeProcess.freePort();
        int dgram = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(3);
             EchoBackends.Tcp tcpEcho = new EchoBackends.Tcp();
             EchoBackends.Udp udpEcho = new EchoBackends.Udp()) {
            List<Integer> be = nginx.ports();
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", webCluster(be, false));
            conf.put("io.switchboard.frontend-web.cfg", frontend(web, "web", null));
            conf.put("io.switchboard.frontend-aux.cfg", frontend(aux, "web", null));
            conf.put("io.switchboard.cluster-stream.cfg", "endpoints = 127.0.0.1:" + tcpEcho.port() + "\n");
            conf.put("io.switchboard.frontend-stream.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + stream + "\ncluster = stream\n");
            conf.put("io.switchboard.cluster-dgram.cfg", "endpoints = 127.0.0.1:" + udpEcho.port() + "\n");
            conf.put("io.switchboard.frontend-dgram.cfg", "protocol = udp\naddress = 127.0.0.1\nport = " + dgram + "\ncluster = dgram\n");

            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                // The files are applied one by one: each frontend is waited for, not only the first.
                rt.awaitPort(web, 60_000);
                awaitStatus(web, 200, 20_000);
                rt.awaitPort(aux, 20_000);
                awaitStatus(aux, 200, 20_000);
                rt.awaitPort(stream, 20_000);
                rt.awaitOutput("frontend dgram listening on"); // before the first datagram, which would count as lost

                try (ByteStreamCheck bytes = new ByteStreamCheck(stream, STREAM_BYTES, 1 << 20);
                     DatagramFlowCheck datagrams = new DatagramFlowCheck(dgram, 20);
                     PerSecondSampler throughput = new PerSecondSampler(nginx::requests)) {
                    String url = "http://127.0.0.1:" + web + "/";
                    WrkRun.start(url, CONNECTIONS, 5).await(40); // warm-up: compiled code, pooled back-end connections
                    int steadyStart = throughput.seconds().size() + 1; // the first second is part idle
                    WrkRun.Summary steady = WrkRun.start(url, CONNECTIONS, STEADY_SECONDS).await(STEADY_SECONDS + 30);
                    int steadyEnd = throughput.seconds().size();

                    WrkRun load = WrkRun.start(url, CONNECTIONS, 3600);
                    Thread.sleep(2_000); // wrk's connections up
                    int updatesStart = throughput.seconds().size();
                    long started = System.nanoTime();
                    AtomicReference<Throwable> editFailure = new AtomicReference<>();
                    Thread edits = new Thread(() -> {
                        try {
                            editFiles(rt, be, web, aux, auxMoved);
                        } catch (Throwable t) {
                            editFailure.set(t);
                        }
                    }, "config-edits");
                    edits.start();
                    long updateMillis = updateBundles(rt);
                    edits.join(TimeUnit.MINUTES.toMillis(10));
                    long phaseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    int updatesEnd = throughput.seconds().size();
                    WrkRun.Summary during = load.stop();

                    String streamProblem = bytes.finish(120);
                    datagrams.close();
                    String report = report(steady, during, throughput.seconds(), steadyStart, steadyEnd, updatesStart, updatesEnd,
                            updateMillis, phaseMillis, bytes.sent(), datagrams);
                    System.out.println(report);
                    Files.writeString(Path.of("target", "live-update-report.txt"), report);

                    if (editFailure.get() != null) {
                        throw new AssertionError("the configuration edits failed", editFailure.get());
                    }
                    assertEquals(List.of(), updateProblems, "updates that did not report success");
                    assertEquals(0, steady.non2xx() + steady.socketErrors(), steady.text());
                    assertEquals(0, during.non2xx(), "non-2xx responses during the updates:\n" + during.text());
                    assertEquals(0, during.socketErrors(), "socket errors during the updates:\n" + during.text());
                    assertTrue(during.requests() > 10_000, during.text());
                    assertNull(streamProblem, "the TCP stream");
                    assertTrue(bytes.sent() >= STREAM_BYTES, "sent " + bytes.sent());
                    assertEquals(0, datagrams.lost.get() + datagrams.differed.get(), "the UDP flow: " + datagrams);
                    assertTrue(datagrams.exact.get() > 100, "the UDP flow: " + datagrams);
                    assertEquals(List.of(), drainsCut, "drains that closed connections at their deadline");
                    assertTrue(rt.output.stream().noneMatch(l -> l.contains("LEAK")), "Netty reported a leak");
                    assertTableEmptiesOut(rt);
                }
            }
        }
    }

    /**
     * Every flow opened through the updates, by every version of the transport and of the protocols,
     * leaves the connection table when it ends: with the load over and the UDP flow expired (30 s
     * idle), nothing is listed or open, and nothing went untracked.
     */
    private static void assertTableEmptiesOut(RuntimeProcess rt) throws Exception {
        String summary = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            List<String> answer = rt.command("sb:conns", 20_000);
            summary = answer.stream().filter(l -> l.contains(" listed") && l.contains(" open (table bound ")).findFirst().orElse(String.valueOf(answer));
            if (summary.startsWith("0 listed, 0 open (table bound ")) {
                assertTrue(summary.endsWith(", 0 untracked since start"), summary);
                return;
            }
            Thread.sleep(2_000);
        }
        throw new AssertionError("flows left in the connection table after the load ended: " + summary);
    }

    /**
     * 100 updates each of handler.http and a policy, 10 of each other bundle of the data path, every
     * other one of those with Felix's {@code update ID} and {@code refresh} instead of sb:update.
     * Returns the milliseconds it took.
     */
    private long updateBundles(RuntimeProcess rt) throws Exception {
        long start = System.nanoTime();
        for (int round = 0; round < 100; round++) {
            sbUpdate(rt, HTTP);
            sbUpdate(rt, POLICY);
            if (round < PLATFORM.size() * 10) {
                String bundle = PLATFORM.get(round % PLATFORM.size());
                if ((round / PLATFORM.size()) % 2 == 0) {
                    sbUpdate(rt, bundle);
                } else {
                    felixUpdateAndRefresh(rt, bundle);
                }
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private void sbUpdate(RuntimeProcess rt, String bundle) throws Exception {
        List<String> answer = rt.command("sb:update " + bundle, 120_000);
        count(bundle);
        if (answer.stream().noneMatch(l -> l.startsWith("updated " + bundle))) {
            updateProblems.add("sb:update " + bundle + ": " + answer);
        }
        for (String l : answer) {
            if (l.startsWith("drained ") && !l.contains(" 0 closed at the deadline")) {
                drainsCut.add(bundle + ": " + l);
            }
        }
    }

    private void felixUpdateAndRefresh(RuntimeProcess rt, String bundle) throws Exception {
        count(bundle);
        try {
            rt.updateAndRefresh(bundle);
        } catch (AssertionError e) {
            updateProblems.add(e.getMessage());
        }
    }

    private void count(String bundle) {
        updates.merge(bundle.substring("io.switchboard.".length()), 1, Integer::sum);
    }

    /**
     * 100 edits of the cluster's endpoints (a third back-end in, out), 10 frontend edits (the
     * auxiliary frontend's port moved back and forth, {@code via} on and off on the loaded one), and
     * one change of the number of event loops; each checked to have taken effect.
     */
    private static void editFiles(RuntimeProcess rt, List<Integer> be, int web, int aux, int auxMoved) throws Exception {
        Path conf = rt.workDir.resolve("conf");
        int auxNow = aux;
        for (int i = 0; i < 100; i++) {
            write(conf.resolve("io.switchboard.cluster-web.cfg"), webCluster(be, i % 2 == 0));
            Thread.sleep(1_200); // the watcher polls once a second: each edit is seen on its own
            if (i % 10 == 5) {
                int k = i / 10;
                if (k % 2 == 0) {
                    String via = k % 4 == 0 ? "switchboard" : null;
                    write(conf.resolve("io.switchboard.frontend-web.cfg"), frontend(web, "web", via));
                    awaitVia(web, via == null ? null : "1.1 " + via, "Via on port " + web);
                } else {
                    int from = auxNow;
                    auxNow = auxNow == aux ? auxMoved : aux;
                    write(conf.resolve("io.switchboard.frontend-aux.cfg"), frontend(auxNow, "web", null));
                    rt.awaitPort(auxNow, 20_000);
                    awaitStatus(auxNow, 200, 20_000);
                    awaitClosed(from, 20_000);
                }
            }
            if (i == 50) {
                write(conf.resolve("io.switchboard.transport.cfg"), "eventLoops = 3\n");
                rt.awaitOutput(0, l -> l.contains("event loops 2 -> 3") || l.contains(" 3 event loops"), 20_000);
            }
        }
    }

    private static String webCluster(List<Integer> be, boolean third) {
        // Checked actively too, so that the control bundle is updated with its probes running.
        return "endpoints = a=127.0.0.1:" + be.get(0) + ", b=127.0.0.1:" + be.get(1)
                + (third ? ", c=127.0.0.1:" + be.get(2) : "") + "\nhealthCheck = http\nhealthIntervalMillis = 500\n";
    }

    private static String frontend(int port, String cluster, String via) {
        return "address = 127.0.0.1\nport = " + port + "\ncluster = " + cluster + "\n" + (via == null ? "" : "via = " + via + "\n");
    }

    private static void awaitClosed(int port, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread.sleep(100);
            } catch (IOException refused) {
                return;
            }
        }
        throw new AssertionError("port " + port + " still open after the frontend moved away");
    }

    private String report(WrkRun.Summary steady, WrkRun.Summary during, List<Long> seconds, int steadyStart, int steadyEnd,
                          int updatesStart, int updatesEnd, long updateMillis, long phaseMillis, long streamBytes,
                          DatagramFlowCheck datagrams) {
        List<Long> steadySeconds = seconds.subList(Math.min(steadyStart, steadyEnd), steadyEnd);
        List<Long> updateSeconds = seconds.subList(updatesStart, Math.min(updatesEnd, seconds.size()));
        long steadyMedian = median(steadySeconds);
        long worst = updateSeconds.stream().mapToLong(Long::longValue).min().orElse(0);
        int total = updates.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder r = new StringBuilder("live update under load (wrk -t1 -c" + CONNECTIONS + ")\n");
        r.append(String.format("steady  %d s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d non-2xx, %d socket errors%n",
                STEADY_SECONDS, steady.requestsPerSecond(), steady.p50Millis(), steady.p99Millis(), steady.maxMillis(),
                steady.non2xx(), steady.socketErrors()));
        r.append(String.format("updates %.0f s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d non-2xx, %d socket errors, %d requests%n",
                during.seconds(), during.requestsPerSecond(), during.p50Millis(), during.p99Millis(), during.maxMillis(),
                during.non2xx(), during.socketErrors(), during.requests()));
        r.append(String.format("p99 during updates / steady: %.2f%n", during.p99Millis() / steady.p99Millis()));
        r.append(String.format("per second (back-end side): steady median %d; during updates median %d, worst %d (%.0f %% of steady)%n",
                steadyMedian, median(updateSeconds), worst, 100.0 * worst / Math.max(1, steadyMedian)));
        r.append(String.format("bundle updates: %d in %.1f s = %.0f per minute: %s%n", total, updateMillis / 1000.0,
                total * 60_000.0 / Math.max(1, updateMillis), updates));
        r.append(String.format("update phase with 100 endpoint edits, 10 frontend edits, 1 eventLoops change: %.1f s%n", phaseMillis / 1000.0));
        r.append(String.format("TCP stream: %d bytes each way, checked; UDP flow: %s%n", streamBytes, datagrams));
        r.append("per-second throughput during updates: ").append(updateSeconds).append('\n');
        return r.toString();
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
