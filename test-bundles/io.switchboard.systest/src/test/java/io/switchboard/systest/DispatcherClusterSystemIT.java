package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three dispatchers (three runtime processes) on 127.0.0.1, each with its own frontend, sharing one
 * dispatch table over JGroups (TCP, a static member list, free ports) in front of three nginx
 * back-ends; the cluster is sticky by the {@code X-Client} header. What a client sees when its
 * connections land on different dispatchers, when two dispatchers see its first connections at once,
 * when a dispatcher joins late and when one dies under wrk load.
 */
class DispatcherClusterSystemIT {
    private static final Pattern BE = Pattern.compile("(?im)^X-Be: *(\\d+)");

    /** One request on a new connection; returns the back-end's port (X-Be), or the status line when it has none. */
    static String get(int port, String client) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: sb\r\nX-Client: " + client + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            Matcher m = BE.matcher(text);
            return m.find() ? m.group(1) : text.split("\r\n", 2)[0];
        }
    }

    private static Map<String, String> conf(int index, int[] group, int frontend, String endpoints) {
        StringBuilder members = new StringBuilder();
        for (int g : group) {
            members.append(members.length() == 0 ? "" : ", ").append("127.0.0.1[").append(g).append(']');
        }
        return Map.of(
                "io.switchboard.dispatchers.cfg", "enabled = true\ngroup = systest-" + group[0] + "\nnode = d" + index
                        + "\nbindPort = " + group[index - 1] + "\nmembers = " + members + "\njoinTimeoutMillis = 5000\n",
                "io.switchboard.cluster-web.cfg", "endpoints = " + endpoints + "\ndispatch = header:X-Client\n",
                "io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + frontend + "\ncluster = web\n");
    }

    private static void awaitPeers(RuntimeProcess rt, int members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = String.join("\n", rt.command("sb:peers", 20_000));
            if (last.contains("state: ready") && last.contains("(" + members + ") [")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no view of " + members + " ready: " + last);
    }

    @Test
    void threeDispatchersOneEndpointPerClient() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int[] group = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] web = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        try (NginxBackends nginx = NginxBackends.start(3)) {
            List<Integer> be = nginx.ports();
            String endpoints = "b1=127.0.0.1:" + be.get(0) + ", b2=127.0.0.1:" + be.get(1) + ", b3=127.0.0.1:" + be.get(2);
            try (RuntimeProcess d1 = new RuntimeProcess(conf(1, group, web[0], endpoints));
                 RuntimeProcess d2 = new RuntimeProcess(conf(2, group, web[1], endpoints))) {
                d1.awaitPort(web[0], 90_000);
                d2.awaitPort(web[1], 90_000);
                awaitPeers(d1, 2);
                awaitPeers(d2, 2);

                // 1. 300 clients, each first seen by d1 or d2 in turn, then asked at the other: one endpoint each
                Map<String, String> endpointOf = new HashMap<>();
                long spacing = TimeUnit.MILLISECONDS.toNanos(5); // 200 new clients a second
                for (int i = 0; i < 300; i++) {
                    long t0 = System.nanoTime();
                    endpointOf.put("c" + i, get(web[i % 2], "c" + i));
                    while (System.nanoTime() - t0 < spacing) {
                        Thread.onSpinWait();
                    }
                }
                assertTrue(endpointOf.values().stream().allMatch(v -> be.contains(Integer.parseInt(v))), endpointOf.toString());
                for (int i = 0; i < 300; i++) {
                    assertEquals(endpointOf.get("c" + i), get(web[(i + 1) % 2], "c" + i), "c" + i + " at the other dispatcher");
                }
                // warmed up: 1100 more new clients at d1, 500 a second; d2 keeps the delays of the latest 1024
                for (int i = 0; i < 1100; i++) {
                    long t0 = System.nanoTime();
                    get(web[0], "w" + i);
                    while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(2)) {
                        Thread.onSpinWait();
                    }
                }
                Thread.sleep(500);
                String peers = String.join("\n", d2.command("sb:peers", 20_000));
                System.out.println("[systest] d2 after 1250 entries created at d1:\n" + peers);
                Matcher p99 = Pattern.compile("p50 ([\\d.]+) ms, p99 ([\\d.]+) ms").matcher(peers);
                assertTrue(p99.find(), peers);
                System.out.println("[systest] an entry created at d1 is in d2's table after: p50 " + p99.group(1) + " ms, p99 " + p99.group(2) + " ms");
                String metrics = String.join("\n", d2.command("sb:metrics switchboard_dispatch", 20_000));
                Matcher in = Pattern.compile("switchboard_dispatch_updates_total\\{direction=\"in\"\\} ([\\d.E]+)").matcher(metrics);
                assertTrue(in.find() && Double.parseDouble(in.group(1)) >= 1250, metrics);
                assertTrue(metrics.contains("switchboard_dispatch_entries "), metrics);

                // 2. the table, not the hash: d1 alone drains b1, its clients move there (reassigned), and d2 follows
                d1.command("sb:drain web/b1", 20_000);
                Map<String, String> moved = new HashMap<>();
                for (int i = 0; i < 300; i++) {
                    String c = "c" + i;
                    if (endpointOf.get(c).equals(be.get(0).toString())) {
                        String now = get(web[0], c);
                        assertTrue(!now.equals(be.get(0).toString()), c + " still on the drained b1 at d1");
                        moved.put(c, now);
                    }
                }
                assertTrue(moved.size() > 10, "b1 had clients: " + moved.size());
                Thread.sleep(200);
                for (Map.Entry<String, String> m : moved.entrySet()) {
                    assertEquals(m.getValue(), get(web[1], m.getKey()), m.getKey() + " at d2 follows d1's reassignment (b1 is not drained at d2)");
                }
                endpointOf.putAll(moved);
                d1.command("sb:enable web/b1", 20_000); // the dispatchers see the same endpoints again

                // 3. simultaneous first connections of one client at d1 and d2: one endpoint
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    for (int i = 0; i < 100; i++) {
                        String c = "race" + i;
                        CountDownLatch go = new CountDownLatch(1);
                        Future<String> a = pool.submit(() -> { go.await(); return get(web[0], c); });
                        Future<String> b = pool.submit(() -> { go.await(); return get(web[1], c); });
                        go.countDown();
                        assertEquals(a.get(), b.get(), c + ": first connections at d1 and d2 at once");
                        endpointOf.put(c, a.get());
                    }
                } finally {
                    pool.shutdownNow();
                }

                // 3b. the same while their views differ: d1 alone drains b2 just before, so each dispatcher's hash
                // gives some clients another endpoint; the client lock (the key's owner decides) still gives one
                d1.command("sb:drain web/b2", 20_000);
                pool = Executors.newFixedThreadPool(2);
                try {
                    for (int i = 0; i < 100; i++) {
                        String c = "split" + i;
                        CountDownLatch go = new CountDownLatch(1);
                        Future<String> a = pool.submit(() -> { go.await(); return get(web[0], c); });
                        Future<String> b = pool.submit(() -> { go.await(); return get(web[1], c); });
                        go.countDown();
                        assertEquals(a.get(), b.get(), c + ": first connections at d1 (b2 drained) and d2 at once");
                        endpointOf.put(c, a.get());
                    }
                } finally {
                    pool.shutdownNow();
                }
                d1.command("sb:enable web/b2", 20_000);
                String locks = String.join("\n", d2.command("sb:peers", 20_000)) + String.join("\n", d1.command("sb:peers", 20_000));
                System.out.println("[systest] client locks after 100 simultaneous first connections with differing views:\n" + locks);
                assertTrue(locks.contains("client locks "), locks);
                String lockMetrics = String.join("\n", d1.command("sb:metrics switchboard_dispatch_locks", 20_000));
                assertTrue(lockMetrics.contains("switchboard_dispatch_locks_total{event=\"taken\"}"), lockMetrics);

                // 4. a late joiner: its listener opens only once it has the table
                try (RuntimeProcess d3 = new RuntimeProcess(conf(3, group, web[2], endpoints))) {
                    d3.awaitPort(web[2], 90_000);
                    for (Map.Entry<String, String> m : moved.entrySet()) { // only the table knows these
                        assertEquals(m.getValue(), get(web[2], m.getKey()), m.getKey() + " at the late joiner, first requests");
                    }
                    int joined = indexOf(d3.output, "joined group systest-");
                    int listening = indexOf(d3.output, "frontend web listening");
                    assertTrue(joined >= 0 && listening > joined, "d3 joined (line " + joined + ") before it listened (line " + listening + ")");
                    assertTrue(indexOf(d3.output, "waits for the dispatcher group's table before it listens") >= 0, d3.output.toString());
                    awaitPeers(d3, 3);

                    // 5. d1 dies under load: the survivors keep every client's endpoint, without a failed request
                    WrkRun onD1 = WrkRun.start("http://127.0.0.1:" + web[0] + "/", 16, 8);
                    WrkRun onD2 = WrkRun.start("http://127.0.0.1:" + web[1] + "/", 16, 8);
                    WrkRun onD3 = WrkRun.start("http://127.0.0.1:" + web[2] + "/", 16, 8);
                    Thread.sleep(3_000);
                    d1.kill();
                    WrkRun.Summary s1 = onD1.await(40);
                    WrkRun.Summary s2 = onD2.await(40);
                    WrkRun.Summary s3 = onD3.await(40);
                    System.out.printf("[systest] wrk during d1's death: d1 %d requests, %d socket errors; d2 %d requests, %d errors, %d non-2xx;"
                            + " d3 %d requests, %d errors, %d non-2xx%n", s1.requests(), s1.socketErrors(), s2.requests(), s2.socketErrors(),
                            s2.non2xx(), s3.requests(), s3.socketErrors(), s3.non2xx());
                    assertEquals(0, s2.socketErrors() + s2.non2xx(), s2.text());
                    assertEquals(0, s3.socketErrors() + s3.non2xx(), s3.text());
                    assertTrue(s2.requests() > 0 && s3.requests() > 0);
                    for (Map.Entry<String, String> m : endpointOf.entrySet()) {
                        assertEquals(m.getValue(), get(web[1], m.getKey()), m.getKey() + " at d2 after d1 died");
                        assertEquals(m.getValue(), get(web[2], m.getKey()), m.getKey() + " at d3 after d1 died");
                    }
                    String after = String.join("\n", d3.command("sb:dispatch race7", 20_000));
                    assertTrue(after.contains("race7") && after.contains("1 entries matching 'race7'"), after);
                    awaitPeers(d3, 2);
                }
            }
        }
    }

    /**
     * The table outlives its bundle: under wrk load, d1's cluster bundle and the JGroups bundle are
     * updated and refreshed (Felix's update and refresh); no request fails, d1 keeps every entry (the
     * ones only it knows too), and what it records afterwards reaches d2.
     */
    @Test
    void updatingTheClusterBundlesLosesNoEntry() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int[] group = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] web = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        try (NginxBackends nginx = NginxBackends.start(3)) {
            List<Integer> be = nginx.ports();
            String endpoints = "b1=127.0.0.1:" + be.get(0) + ", b2=127.0.0.1:" + be.get(1) + ", b3=127.0.0.1:" + be.get(2);
            try (RuntimeProcess d1 = new RuntimeProcess(conf(1, group, web[0], endpoints));
                 RuntimeProcess d2 = new RuntimeProcess(conf(2, group, web[1], endpoints))) {
                d1.awaitPort(web[0], 90_000);
                d2.awaitPort(web[1], 90_000);
                awaitPeers(d1, 2);
                awaitPeers(d2, 2);
                Map<String, String> endpointOf = new HashMap<>();
                for (int i = 0; i < 200; i++) {
                    endpointOf.put("u" + i, get(web[i % 2], "u" + i));
                }
                // reassignments only the table knows: d1 drains b2 for a moment
                d1.command("sb:drain web/b2", 20_000);
                for (int i = 0; i < 200; i++) {
                    if (endpointOf.get("u" + i).equals(be.get(1).toString())) {
                        endpointOf.put("u" + i, get(web[0], "u" + i));
                    }
                }
                d1.command("sb:enable web/b2", 20_000);
                WrkRun load1 = WrkRun.start("http://127.0.0.1:" + web[0] + "/", 16, 60);
                WrkRun load2 = WrkRun.start("http://127.0.0.1:" + web[1] + "/", 16, 60);
                for (String bundle : List.of("io.switchboard.cluster", "io.switchboard.jgroups", "io.switchboard.cluster")) {
                    d1.updateAndRefresh(bundle);
                    for (Map.Entry<String, String> m : endpointOf.entrySet()) {
                        assertEquals(m.getValue(), get(web[0], m.getKey()), m.getKey() + " at d1 after updating " + bundle);
                    }
                }
                awaitPeers(d1, 2);
                String count = String.join("\n", d1.command("sb:dispatch u1", 20_000));
                assertTrue(count.contains("in the table"), count);
                get(web[0], "after-update");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String atD2 = "";
                while (System.nanoTime() < deadline && !atD2.contains("1 entries matching 'after-update'")) {
                    atD2 = String.join("\n", d2.command("sb:dispatch after-update", 20_000));
                    Thread.sleep(100);
                }
                assertTrue(atD2.contains("1 entries matching 'after-update'"), atD2);
                WrkRun.Summary s1 = load1.stop();
                WrkRun.Summary s2 = load2.stop();
                System.out.printf("[systest] wrk during 3 updates of d1's cluster bundles: d1 %d requests, %d errors, %d non-2xx; d2 %d requests, %d errors, %d non-2xx%n",
                        s1.requests(), s1.socketErrors(), s1.non2xx(), s2.requests(), s2.socketErrors(), s2.non2xx());
                assertEquals(0, s1.socketErrors() + s1.non2xx(), s1.text());
                assertEquals(0, s2.socketErrors() + s2.non2xx(), s2.text());
                for (Map.Entry<String, String> m : endpointOf.entrySet()) {
                    assertEquals(m.getValue(), get(web[1], m.getKey()), m.getKey() + " at d2");
                }
            }
        }
    }

    /**
     * The first dispatcher (the group's coordinator), killed with SIGKILL while it holds sessions and
     * started again at once — while the survivors' view still lists its dead self, so that no
     * coordinator answers its join: its frontend
     * listens only once it holds the group's whole table, and every client keeps its endpoint at
     * every dispatcher, through the kill and at the one started again.
     */
    @Test
    void theCoordinatorKilledAndStartedAgainAtOnceListensOnlyWithTheWholeTable() throws Exception {
        killAndStartAgainAtOnce(1);
    }

    /** The same for a dispatcher that is not the coordinator. */
    @Test
    void aMemberKilledAndStartedAgainAtOnceListensOnlyWithTheWholeTable() throws Exception {
        killAndStartAgainAtOnce(2);
    }

    private static void killAndStartAgainAtOnce(int victim) throws Exception {
        ExternalTools.require("nginx");
        int[] group = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] web = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int survivor = victim == 1 ? 2 : 1;
        try (NginxBackends nginx = NginxBackends.start(3)) {
            List<Integer> be = nginx.ports();
            String endpoints = "b1=127.0.0.1:" + be.get(0) + ", b2=127.0.0.1:" + be.get(1) + ", b3=127.0.0.1:" + be.get(2);
            RuntimeProcess[] d = new RuntimeProcess[3];
            try {
                // one after the other: d1 forms the group, so it is the coordinator
                for (int i = 0; i < 3; i++) {
                    d[i] = new RuntimeProcess(conf(i + 1, group, web[i], endpoints));
                    d[i].awaitPort(web[i], 90_000);
                    awaitPeers(d[i], i + 1);
                }
                assertTrue(String.join("\n", d[2].command("sb:peers", 20_000)).contains("view: [d1|"), "d1 coordinates");
                Map<String, String> endpointOf = new HashMap<>();
                for (int i = 0; i < 300; i++) {
                    endpointOf.put("k" + i, get(web[i % 3], "k" + i));
                }
                // reassignments only the table knows (the hash gives them b1): a survivor drains b1 for a moment
                d[survivor - 1].command("sb:drain web/b1", 20_000);
                // the drain reaches the data path through the control ring: wait until a client of b1 moves
                String probe = endpointOf.entrySet().stream().filter(x -> x.getValue().equals(be.get(0).toString()))
                        .map(Map.Entry::getKey).findFirst().orElseThrow();
                long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (get(web[survivor - 1], probe).equals(be.get(0).toString()) && System.nanoTime() < drainDeadline) {
                    Thread.sleep(50);
                }
                int moved = 0;
                for (int i = 0; i < 300; i++) {
                    if (endpointOf.get("k" + i).equals(be.get(0).toString())) {
                        String now = get(web[survivor - 1], "k" + i);
                        endpointOf.put("k" + i, now);
                        moved += now.equals(be.get(0).toString()) ? 0 : 1;
                    }
                }
                assertTrue(moved > 10, "b1 had clients: " + moved);
                d[survivor - 1].command("sb:enable web/b1", 20_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (tableSize(d[victim - 1]) != endpointOf.size() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(endpointOf.size(), tableSize(d[victim - 1]), "d" + victim + " holds every session before it dies");

                // "at once": a runtime takes seconds to start, longer than the survivors take to see a death, so
                // the new one is started first and the old one killed the moment the new one wants its group
                // port: the new one's discovery comes within a second of the kill, while the survivors' view
                // still lists the dead one, as it does for a runtime that starts fast or a death seen late
                RuntimeProcess old = d[victim - 1];
                RuntimeProcess again = new RuntimeProcess(conf(victim, group, web[victim - 1], endpoints));
                d[victim - 1] = again;
                again.awaitOutput(0, l -> l.contains("is still in use") || l.contains("could not join group"), 120_000);
                old.kill();
                long killed = System.nanoTime();
                String viewAtKill = d[survivor - 1].command("sb:peers", 20_000).stream()
                        .filter(l -> l.contains("view:")).findFirst().orElse("?");
                again.awaitPort(web[victim - 1], 120_000);
                long listening = System.nanoTime();
                System.out.println("[systest] d" + survivor + "'s view as d" + victim + " was killed: " + viewAtKill);
                // first thing once it listens: what it holds now is what it listened with (no client came since)
                int heldThen = tableSize(again);
                int survivors = tableSize(d[survivor - 1]);
                System.out.printf("[systest] d%d killed and started again at once: listening after %d ms with %d entries (survivors: %d)%n",
                        victim, TimeUnit.NANOSECONDS.toMillis(listening - killed), heldThen, survivors);
                assertEquals(endpointOf.size(), survivors, "the survivors keep every session");
                assertEquals(survivors, heldThen, "d" + victim + " listened with the group's whole table: " + again.output);
                int ready = indexOf(again.output, "joined group systest-");
                int open = indexOf(again.output, "frontend web listening");
                assertTrue(ready >= 0 && ready < open, "d" + victim + " had the table (line " + ready + ") before it listened (line " + open + ")");
                assertTrue(again.output.get(ready).contains(" " + survivors + " entries in its table"), again.output.get(ready));
                for (Map.Entry<String, String> m : endpointOf.entrySet()) {
                    assertEquals(m.getValue(), get(web[victim - 1], m.getKey()), m.getKey() + " at d" + victim + " started again");
                    for (int s = 1; s <= 3; s++) {
                        if (s != victim) {
                            assertEquals(m.getValue(), get(web[s - 1], m.getKey()), m.getKey() + " at d" + s);
                        }
                    }
                }
                for (int s = 1; s <= 3; s++) {
                    awaitPeers(d[s - 1], 3);
                }
            } finally {
                for (RuntimeProcess rt : d) {
                    if (rt != null) {
                        rt.close();
                    }
                }
            }
        }
    }

    /** The entries in a dispatcher's table, as sb:dispatch counts them. */
    private static int tableSize(RuntimeProcess rt) throws Exception {
        String out = String.join("\n", rt.command("sb:dispatch", 20_000));
        Matcher m = Pattern.compile(", (\\d+) in the table").matcher(out);
        assertTrue(m.find(), out);
        return Integer.parseInt(m.group(1));
    }

    /** One keep-alive request on a connection that stays open; returns the back-end's port. */
    private static String keepAlive(Socket s, String client) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: sb\r\nX-Client: " + client + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed: " + head);
            }
            head.append((char) c);
        }
        Matcher len = Pattern.compile("(?im)^Content-Length: *(\\d+)").matcher(head);
        assertTrue(len.find(), head.toString());
        in.readNBytes(Integer.parseInt(len.group(1)));
        Matcher m = BE.matcher(head);
        assertTrue(m.find(), head.toString());
        return m.group(1);
    }

    private static boolean hasEntry(RuntimeProcess rt, String client) throws Exception {
        return String.join("\n", rt.command("sb:dispatch " + client, 20_000)).contains("1 entries matching '" + client + "'");
    }

    /**
     * sessionEnd = close, through real connections: a client's connections open at two dispatchers; the
     * session stays while either is open and ends at both once the last closes.
     */
    @Test
    void withSessionEndCloseTheLastConnectionAtAnyDispatcherEndsTheSession() throws Exception {
        ExternalTools.require("nginx");
        int[] group = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] web = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        try (NginxBackends nginx = NginxBackends.start(2)) {
            List<Integer> be = nginx.ports();
            String endpoints = "b1=127.0.0.1:" + be.get(0) + ", b2=127.0.0.1:" + be.get(1);
            Map<String, String> c1 = new HashMap<>(conf(1, group, web[0], endpoints));
            Map<String, String> c2 = new HashMap<>(conf(2, group, web[1], endpoints));
            c1.put("io.switchboard.dispatchers.cfg", c1.get("io.switchboard.dispatchers.cfg") + "sessionEnd = close\n");
            c2.put("io.switchboard.dispatchers.cfg", c2.get("io.switchboard.dispatchers.cfg") + "sessionEnd = close\n");
            try (RuntimeProcess d1 = new RuntimeProcess(c1); RuntimeProcess d2 = new RuntimeProcess(c2)) {
                d1.awaitPort(web[0], 90_000);
                d2.awaitPort(web[1], 90_000);
                awaitPeers(d1, 2);
                awaitPeers(d2, 2);
                Socket at1 = new Socket(InetAddress.getLoopbackAddress(), web[0]);
                Socket at2 = new Socket(InetAddress.getLoopbackAddress(), web[1]);
                String first = keepAlive(at1, "closer");
                assertEquals(first, keepAlive(at2, "closer"));
                assertEquals(first, keepAlive(at1, "closer"));
                assertTrue(hasEntry(d1, "closer") && hasEntry(d2, "closer"));
                at1.close();
                Thread.sleep(500);
                assertTrue(hasEntry(d1, "closer") && hasEntry(d2, "closer"), "a connection is still open at d2");
                at2.close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((hasEntry(d1, "closer") || hasEntry(d2, "closer")) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(!hasEntry(d1, "closer") && !hasEntry(d2, "closer"), "the last close ended the session at both");
                System.out.println("[systest] sessionEnd = close: " + String.join(" ", d1.command("sb:peers", 20_000)).replaceAll(".*(entries \\d+.*removed \\d+).*", "$1"));
            }
        }
    }

    /** A TCP connection from the source address to the port, its first bytes sent; reads the back-end's name (its port). */
    private static Socket relayed(InetAddress source, int port, List<String> landed) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        landed.add(line(s.getInputStream()));
        assertEquals("hello", line(s.getInputStream()), "the first bytes, relayed");
        return s;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed after '" + b + "'");
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** One datagram from the socket to the port; returns the back-end's name (its port) from the answer. */
    private static String datagram(java.net.DatagramSocket socket, int port) throws IOException {
        byte[] hi = "hi".getBytes(StandardCharsets.US_ASCII);
        socket.send(new java.net.DatagramPacket(hi, hi.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        byte[] buf = new byte[256];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        socket.receive(p);
        String answer = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
        assertTrue(answer.endsWith(":hi"), answer);
        return answer.substring(0, answer.indexOf(':'));
    }

    private static java.net.DatagramSocket udpClient(InetAddress source) throws IOException {
        java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress(source, 0));
        s.setSoTimeout(10_000);
        return s;
    }

    /** How many entries' clients contain the text (sb:dispatch TEXT). */
    private static int entries(RuntimeProcess rt, String client) throws Exception {
        String out = String.join("\n", rt.command("sb:dispatch " + client, 20_000));
        Matcher m = Pattern.compile("(\\d+) entries matching '" + Pattern.quote(client) + "'").matcher(out);
        assertTrue(m.find(), out);
        return Integer.parseInt(m.group(1));
    }

    /** Waits until no entry's client contains the text at either dispatcher: the sessions ended at both. */
    private static void awaitNoEntry(RuntimeProcess d1, RuntimeProcess d2, String client, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int at1 = entries(d1, client);
        int at2 = entries(d2, client);
        while ((at1 > 0 || at2 > 0) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            at1 = entries(d1, client);
            at2 = entries(d2, client);
        }
        assertEquals("0 0", at1 + " " + at2, client + "*: the sessions ended at both dispatchers (entries at d1, d2)");
    }

    /**
     * The TCP and UDP relays and HTTP/2 in the dispatcher cluster, sticky by source address
     * ({@code dispatch = source}; each client binds its own 127.0.x.y), with sessionEnd = close:
     * <ul>
     * <li>a new client's first TCP connections (and first UDP flows) at both dispatchers at once, while
     * d1 alone has drained an endpoint (so their hashes differ): the relay of the dispatcher that does
     * not own the client's key waits for the owner's decision, so both reach one endpoint;
     * <li>a client's session holds while any of its TCP connections (or UDP flows) is open at either
     * dispatcher and ends at both when the last closes (or idles out);
     * <li>an HTTP/2 connection holds its client's session across its streams and ends it when it closes.
     * </ul>
     */
    @Test
    void relaysWaitForTheOwnersDecisionAndTheirConnectionsHoldTheSessionUntilTheLastCloses() throws Exception {
        ExternalTools.require("nginx");
        int[] group = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] tcp = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] udp = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        int[] web = {RuntimeProcess.freeListenPort(), RuntimeProcess.freeListenPort()};
        try (NginxBackends nginx = NginxBackends.start(2);
             EchoBackends.Tcp t1 = new EchoBackends.Tcp(true); EchoBackends.Tcp t2 = new EchoBackends.Tcp(true);
             EchoBackends.Tcp t3 = new EchoBackends.Tcp(true);
             EchoBackends.Udp u1 = new EchoBackends.Udp(true); EchoBackends.Udp u2 = new EchoBackends.Udp(true);
             EchoBackends.Udp u3 = new EchoBackends.Udp(true)) {
            List<Map<String, String>> confs = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                Map<String, String> c = new HashMap<>();
                c.put("io.switchboard.dispatchers.cfg", "enabled = true\ngroup = systest-" + group[0] + "\nnode = d" + i
                        + "\nbindPort = " + group[i - 1] + "\nmembers = 127.0.0.1[" + group[0] + "], 127.0.0.1[" + group[1] + "]"
                        + "\njoinTimeoutMillis = 5000\nsessionEnd = close\n"
                        // long enough that a wait never runs out on a busy machine: what is tested is the lock
                        + "lockWaitMillis = 5000\n");
                c.put("io.switchboard.cluster-db.cfg", "endpoints = t1=127.0.0.1:" + t1.port() + ", t2=127.0.0.1:" + t2.port()
                        + ", t3=127.0.0.1:" + t3.port() + "\ndispatch = source\n");
                c.put("io.switchboard.frontend-db.cfg", "address = 127.0.0.1\nport = " + tcp[i - 1] + "\nprotocol = tcp\ncluster = db\n");
                c.put("io.switchboard.cluster-dgram.cfg", "endpoints = u1=127.0.0.1:" + u1.port() + ", u2=127.0.0.1:" + u2.port()
                        + ", u3=127.0.0.1:" + u3.port() + "\ndispatch = source\n");
                c.put("io.switchboard.frontend-dgram.cfg", "address = 127.0.0.1\nport = " + udp[i - 1] + "\nprotocol = udp\ncluster = dgram\n");
                c.put("io.switchboard.cluster-web.cfg", "endpoints = b1=127.0.0.1:" + nginx.ports().get(0) + ", b2=127.0.0.1:"
                        + nginx.ports().get(1) + "\ndispatch = source\n");
                c.put("io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web[i - 1] + "\ncluster = web\nh2c = true\n");
                c.put("io.switchboard.frontends.cfg", "udpIdleSeconds = 2\n");
                confs.add(c);
            }
            try (RuntimeProcess d1 = new RuntimeProcess(confs.get(0)); RuntimeProcess d2 = new RuntimeProcess(confs.get(1))) {
                d1.awaitPort(tcp[0], 90_000);
                d2.awaitPort(tcp[1], 90_000);
                d1.awaitPort(web[0], 90_000);
                d2.awaitPort(web[1], 90_000);
                d1.awaitOutput(0, l -> l.contains("frontend dgram listening"), 90_000);
                d2.awaitOutput(0, l -> l.contains("frontend dgram listening"), 90_000);
                awaitPeers(d1, 2);
                awaitPeers(d2, 2);
                // d1 alone drains t2 and u2: for a third of the clients the two dispatchers' hashes differ
                d1.command("sb:drain db/t2", 20_000);
                d1.command("sb:drain dgram/u2", 20_000);

                // 1. TCP: each client's first connections at d1 and d2 at once reach one endpoint
                ExecutorService pool = Executors.newFixedThreadPool(2);
                List<Socket> atD1 = new ArrayList<>();
                List<Socket> atD2 = new ArrayList<>();
                try {
                    for (int i = 1; i <= 100; i++) {
                        InetAddress source = InetAddress.getByName("127.0.1." + i);
                        List<String> landed = new java.util.concurrent.CopyOnWriteArrayList<>();
                        CountDownLatch go = new CountDownLatch(1);
                        Future<Socket> a = pool.submit(() -> { go.await(); return relayed(source, tcp[0], landed); });
                        Future<Socket> b = pool.submit(() -> { go.await(); return relayed(source, tcp[1], landed); });
                        go.countDown();
                        atD1.add(a.get());
                        atD2.add(b.get());
                        assertEquals(landed.get(0), landed.get(1), source + ": first TCP connections at d1 (t2 drained) and d2 at once");
                    }
                    assertEquals(100, entries(d1, "127.0.1."), "every client's session is held while its connections are open");
                    String locks = String.join("\n", d1.command("sb:peers", 20_000)) + "\n" + String.join("\n", d2.command("sb:peers", 20_000));
                    System.out.println("[systest] after 100 TCP clients' simultaneous first connections:\n" + locks);
                    // Each client's last connections close at d1 and d2 at the same moment: each dispatcher's
                    // release still sees the other holding, and the key's owner ends the session on the
                    // peer's release (not the idle safety net, 300 s away).
                    for (int i = 0; i < atD1.size(); i++) {
                        Socket x = atD1.get(i);
                        Socket y = atD2.get(i);
                        CountDownLatch go = new CountDownLatch(1);
                        Future<?> a = pool.submit(() -> { go.await(); x.close(); return null; });
                        Future<?> b = pool.submit(() -> { go.await(); y.close(); return null; });
                        go.countDown();
                        a.get();
                        b.get();
                    }
                    awaitNoEntry(d1, d2, "127.0.1.", 20);
                } finally {
                    pool.shutdownNow();
                    for (Socket s : atD2) {
                        s.close();
                    }
                    for (Socket s : atD1) {
                        s.close();
                    }
                }
                awaitNoEntry(d1, d2, "127.0.1.", 20);

                // 2. UDP: each client's first flows at d1 and d2 at once reach one endpoint
                pool = Executors.newFixedThreadPool(2);
                List<java.net.DatagramSocket> flows = new ArrayList<>();
                try {
                    for (int i = 1; i <= 60; i++) {
                        java.net.DatagramSocket ca = udpClient(InetAddress.getByName("127.0.5." + i));
                        java.net.DatagramSocket cb = udpClient(InetAddress.getByName("127.0.5." + i));
                        flows.add(ca);
                        flows.add(cb);
                        CountDownLatch go = new CountDownLatch(1);
                        Future<String> a = pool.submit(() -> { go.await(); return datagram(ca, udp[0]); });
                        Future<String> b = pool.submit(() -> { go.await(); return datagram(cb, udp[1]); });
                        go.countDown();
                        assertEquals(a.get(), b.get(), "127.0.5." + i + ": first UDP flows at d1 (u2 drained) and d2 at once");
                    }
                } finally {
                    pool.shutdownNow();
                    flows.forEach(java.net.DatagramSocket::close);
                }
                // both flows of each client idle out at the same moment: the sessions end all the same
                awaitNoEntry(d1, d2, "127.0.5.", 30);
                d1.command("sb:enable db/t2", 20_000);
                d1.command("sb:enable dgram/u2", 20_000);

                // 3. TCP, sessionEnd = close: two connections at d1 and one at d2; the session ends with the last
                InetAddress closer = InetAddress.getByName("127.0.3.7");
                List<String> landed = new ArrayList<>();
                Socket at1 = relayed(closer, tcp[0], landed);
                Socket at1too = relayed(closer, tcp[0], landed);
                Socket at2 = relayed(closer, tcp[1], landed);
                assertEquals(1, new java.util.HashSet<>(landed).size(), "one endpoint: " + landed);
                assertTrue(hasEntry(d1, "127.0.3.7") && hasEntry(d2, "127.0.3.7"));
                at1.close();
                Thread.sleep(500);
                assertTrue(hasEntry(d1, "127.0.3.7") && hasEntry(d2, "127.0.3.7"), "two connections are still open");
                at2.close();
                Thread.sleep(500);
                assertTrue(hasEntry(d1, "127.0.3.7") && hasEntry(d2, "127.0.3.7"), "a connection is still open at d1");
                at1too.close();
                awaitNoEntry(d1, d2, "127.0.3.7", 10);

                // 4. UDP, sessionEnd = close: a flow at each dispatcher; the session ends when the last idles out
                try (java.net.DatagramSocket f1 = udpClient(InetAddress.getByName("127.0.6.1"));
                     java.net.DatagramSocket f2 = udpClient(InetAddress.getByName("127.0.6.1"))) {
                    String endpoint = datagram(f1, udp[0]);
                    assertEquals(endpoint, datagram(f2, udp[1]));
                    for (int i = 0; i < 8; i++) { // 4 s: f2's flow idles out at d2, f1's keeps talking at d1
                        Thread.sleep(500);
                        assertEquals(endpoint, datagram(f1, udp[0]));
                    }
                    assertTrue(hasEntry(d1, "127.0.6.1") && hasEntry(d2, "127.0.6.1"), "a flow is still open at d1");
                }
                awaitNoEntry(d1, d2, "127.0.6.1", 10);

                // 5. HTTP/2: one connection, streams one after another with pauses; the session outlives them
                try (H2cClient h2 = new H2cClient(InetAddress.getByName("127.0.4.9"), web[0])) {
                    for (int i = 0; i < 3; i++) {
                        assertEquals(200, h2.get("/"));
                        Thread.sleep(700);
                        assertTrue(hasEntry(d1, "127.0.4.9") && hasEntry(d2, "127.0.4.9"), "after stream " + i + ": the connection is open");
                    }
                }
                awaitNoEntry(d1, d2, "127.0.4.9", 10);
                System.out.println("[systest] relays and HTTP/2 with sessionEnd = close: "
                        + String.join(" ", d1.command("sb:peers", 20_000)).replaceAll(".*(entries \\d+.*removed \\d+).*", "$1"));
            }
        }
    }

    /**
     * A bad dispatcher file is rejected with file, key and reason, and the runtime serves on its own
     * (its listeners do not wait for a group it will not join); fixed, it joins; broken again, it keeps
     * what it had.
     */
    @Test
    void aBadDispatcherFileIsRejectedAndTheRuntimeServesAlone() throws Exception {
        ExternalTools.require("nginx");
        int web = RuntimeProcess.freeListenPort();
        int groupPort = RuntimeProcess.freeListenPort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.dispatchers.cfg", "enabled = true\ntransport = carrier-pigeon\n");
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = b1=127.0.0.1:" + nginx.ports().get(0) + "\ndispatch = header:X-Client\n");
            conf.put("io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = web\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(web, 90_000);
                String rejected = rt.awaitOutput("config rejected: ");
                assertTrue(rejected.contains("io.switchboard.dispatchers.cfg: key 'transport': 'carrier-pigeon' is not one of tcp, udp;"
                        + " the dispatcher cluster stays off"), rejected);
                assertEquals(nginx.ports().get(0).toString(), get(web, "alone"));
                assertTrue(String.join("\n", rt.command("sb:peers", 20_000)).contains("off (enabled = false"));

                int mark = rt.output.size();
                SystemTests.write(rt.workDir.resolve("conf/io.switchboard.dispatchers.cfg"),
                        "enabled = true\nbindPort = " + groupPort + "\nnode = solo\n");
                rt.awaitOutput(mark, l -> l.contains("dispatcher solo joined group switchboard"), 30_000);
                awaitPeers(rt, 1);
                get(web, "now-recorded");
                assertTrue(String.join("\n", rt.command("sb:dispatch now-recorded", 20_000)).contains("1 entries matching 'now-recorded'"));

                mark = rt.output.size();
                SystemTests.write(rt.workDir.resolve("conf/io.switchboard.dispatchers.cfg"), "enabled = true\nbindPort = 99999\n");
                String kept = rt.awaitOutput(mark, l -> l.contains("config rejected: "), 30_000);
                assertTrue(kept.contains("io.switchboard.dispatchers.cfg: key 'bindPort': 99999 is out of range 1..65535;"
                        + " the dispatcher cluster keeps its settings"), kept);
                awaitPeers(rt, 1);
                assertTrue(String.join("\n", rt.command("sb:dispatch now-recorded", 20_000)).contains("1 entries matching 'now-recorded'"));
            }
        }
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }
}
