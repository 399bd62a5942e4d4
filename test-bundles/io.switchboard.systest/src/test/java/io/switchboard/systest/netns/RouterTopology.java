package io.switchboard.systest.netns;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Dispatchers behind a router, made of Linux network namespaces and veth pairs:
 *
 * <pre>
 *   clients ─veth── router ──veth── dispatcher 1 (VIP on lo) ─┐
 *                     │    ──veth── dispatcher 2 (VIP on lo) ─┤ sync: a bridge in its own namespace
 *                     │    ──veth── dispatcher N (VIP on lo) ─┘
 *                     └──veth── back-ends
 * </pre>
 *
 * The router has one ECMP route to the VIP over every dispatcher's link (a resilient nexthop group
 * where the kernel has them, else a plain multipath route), hashing on the L4 5-tuple
 * ({@code fib_multipath_hash_policy=1}) so that a client's connections from different ports spread.
 * Dispatchers reach the back-ends through the router, and each other over the sync bridge (the
 * network a dispatcher cluster talks on); {@link #partition}/{@link #heal} take a dispatcher's bridge
 * port down and up.
 *
 * <p>Addresses are in 198.18.0.0/15 (RFC 2544's benchmarking range), which nothing routes: every
 * namespace has its own stack and no link to the host's, so concurrent runs use the same addresses
 * without meeting. Names are {@code sbn<pid>x<n>-<role>}: unique per JVM and topology, and a later
 * run deletes the namespaces of a JVM that is gone (killed before its shutdown hook ran).
 */
public final class RouterTopology implements AutoCloseable {
    /** The virtual address every dispatcher carries on its loopback. */
    public static final String VIP = "198.18.100.1";
    /** Client 1's address; client {@code k} has 198.18.0.(1+k). */
    public static final String CLIENT = "198.18.0.2";
    /** The back-end namespace's address: back-end servers listen on it, one port each. */
    public static final String BACKENDS = "198.18.2.2";

    private static final String PREFIX = "sbn";
    private static final Pattern OWNED = Pattern.compile("^" + PREFIX + "(\\d+)x\\d+-\\S+");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final int NEXTHOP_GROUP = 1000;
    /** The resilient group's hash buckets: a leaving dispatcher's buckets go to the others, no one else's move. */
    private static final String BUCKETS = "64";
    /**
     * A bucket idle this long may move to a dispatcher that came back (the kernel's default, 120 s,
     * would keep a returning dispatcher idle for minutes of a test); a busy bucket never moves.
     */
    private static final String IDLE_SECONDS = "3";
    private static String unavailable;
    private static boolean probed;

    private final String prefix;
    private final int dispatchers;
    private final int clients;
    private final List<String> namespaces = new ArrayList<>();
    private final Set<Integer> inRoute = new LinkedHashSet<>();
    private final boolean resilient;
    private final Thread shutdownHook;
    private boolean closed;

    private RouterTopology(int dispatchers, int clients) {
        this.prefix = PREFIX + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet() + "-";
        this.dispatchers = dispatchers;
        this.clients = clients;
        this.shutdownHook = new Thread(this::removeAll, prefix + "cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        boolean built = false;
        try {
            build();
            resilient = routeToVip();
            built = true;
        } finally {
            if (!built) {
                close();
            }
        }
    }

    /**
     * Creates the topology with this many dispatchers; skips the calling test (a JUnit assumption)
     * where namespaces cannot be made here.
     */
    public static RouterTopology create(int dispatchers) {
        return create(dispatchers, 1);
    }

    /** The same with this many client namespaces (each its own source address, e.g. one wrk run each). */
    public static RouterTopology create(int dispatchers, int clients) {
        assumeAvailable();
        if (dispatchers < 1 || dispatchers > 80) {
            throw new IllegalArgumentException("1 to 80 dispatchers, not " + dispatchers);
        }
        if (clients < 1 || clients > 90) {
            throw new IllegalArgumentException("1 to 90 clients, not " + clients);
        }
        return new RouterTopology(dispatchers, clients);
    }

    /**
     * Skips the calling test, saying why, unless this process may create network namespaces. Call it
     * from each test ({@code @BeforeEach}): an assumption that fails in {@code @BeforeAll} leaves the
     * report with no test and no reason.
     */
    public static void assumeAvailable() {
        String reason = unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "network namespace tests skipped: " + reason
                + " (they need root and iproute2; the loopback multi-process tests still run)");
    }

    /** Why namespaces cannot be made here, or null when they can (the first call also removes leftovers of earlier runs). */
    public static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            unavailable = probe();
            if (unavailable == null) {
                removeLeftovers();
            } else {
                System.out.println("[netns] network namespace tests skipped: " + unavailable);
            }
        }
        return unavailable;
    }

    private static String probe() {
        if ("off".equals(System.getProperty("sb.netns"))) {
            return "turned off with -Dsb.netns=off";
        }
        if (Ip.program() == null) {
            return "iproute2's ip is not installed";
        }
        String name = PREFIX + ProcessHandle.current().pid() + "x0-probe";
        Ip.Result add = Ip.attempt("netns", "add", name);
        if (!add.ok()) {
            return "'ip netns add' failed: " + add.output().trim();
        }
        Ip.Result up = Ip.attempt("-n", name, "link", "set", "lo", "up");
        Ip.attempt("netns", "del", name);
        return up.ok() ? null : "a new namespace cannot be configured: " + up.output().trim();
    }

    /** Deletes the namespaces (and ends the processes in them) of earlier runs whose JVM is gone. */
    static void removeLeftovers() {
        for (String ns : listNamespaces()) {
            Matcher m = OWNED.matcher(ns);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false) == false) {
                System.out.println("[netns] removing " + ns + ", left over by an earlier run");
                removeNamespace(ns);
            }
        }
    }

    private static List<String> listNamespaces() {
        List<String> names = new ArrayList<>();
        for (String line : Ip.run("netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    // ---- names ----

    /** Client 1's namespace. */
    public String client() {
        return client(1);
    }

    /** Client {@code k}'s namespace, 1-based. */
    public String client(int k) {
        if (k < 1 || k > clients) {
            throw new IllegalArgumentException("no client " + k + " (1 to " + clients + ")");
        }
        return prefix + "client" + k;
    }

    public int clients() {
        return clients;
    }

    /** Client {@code k}'s address. */
    public static String clientAddress(int k) {
        return "198.18.0." + (1 + k);
    }

    /**
     * Gives client 1 {@code count} more addresses, 198.18.0.100 and up, and returns them: curl's
     * {@code --interface} sends from each as from another client.
     */
    public List<String> addClientAddresses(int count) {
        if (count < 1 || count > 150) {
            throw new IllegalArgumentException("1 to 150 addresses, not " + count);
        }
        List<String> added = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            String a = "198.18.0." + (100 + j);
            Ip.run("-n", client(1), "addr", "add", a + "/24", "dev", "eth0");
            added.add(a);
        }
        return added;
    }

    public String router() {
        return prefix + "router";
    }

    public String backends() {
        return prefix + "backends";
    }

    public String sync() {
        return prefix + "sync";
    }

    /** Dispatcher {@code i}'s namespace, 1-based. */
    public String dispatcher(int i) {
        check(i);
        return prefix + "d" + i;
    }

    public int dispatchers() {
        return dispatchers;
    }

    /** Dispatcher {@code i}'s address on the sync bridge (the one a dispatcher cluster binds). */
    public static String syncAddress(int i) {
        return "198.18.3." + (10 + i);
    }

    /** Dispatcher {@code i}'s address on its link to the router (its source toward the back-ends). */
    public static String linkAddress(int i) {
        return "198.18." + (10 + i) + ".2";
    }

    /** The command line that runs {@code command} inside namespace {@code ns}. */
    public static List<String> exec(String ns, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Ip.program(), "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** The prefix ({@code ip netns exec NS}) to put before a command line. */
    public static List<String> in(String ns) {
        return exec(ns);
    }

    // ---- building ----

    private String add(String name) {
        Ip.run("netns", "add", name);
        namespaces.add(name);
        Ip.run("-n", name, "link", "set", "lo", "up");
        return name;
    }

    private static void sysctl(String ns, String... settings) {
        List<String> cmd = new ArrayList<>(List.of("netns", "exec", ns, "sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
        Ip.run(cmd.toArray(String[]::new));
    }

    /** A veth pair from {@code a} (named {@code aName}) to {@code b} (named {@code bName}), both up. */
    private static void veth(String a, String aName, String aCidr, String b, String bName, String bCidr) {
        Ip.run("-n", a, "link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b);
        if (aCidr != null) {
            Ip.run("-n", a, "addr", "add", aCidr, "dev", aName);
        }
        if (bCidr != null) {
            Ip.run("-n", b, "addr", "add", bCidr, "dev", bName);
        }
        Ip.run("-n", a, "link", "set", aName, "up");
        Ip.run("-n", b, "link", "set", bName, "up");
    }

    private void build() {
        String router = add(router());
        // forward, hash on addresses and ports, and no reverse-path filter: replies from the VIP come
        // back over whichever dispatcher link carried the request
        sysctl(router, "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1",
                "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
        // the clients on one segment: a bridge in the router, its address their gateway
        Ip.run("-n", router, "link", "add", "br-clients", "type", "bridge");
        Ip.run("-n", router, "addr", "add", "198.18.0.1/24", "dev", "br-clients");
        Ip.run("-n", router, "link", "set", "br-clients", "up");
        for (int k = 1; k <= clients; k++) {
            String client = add(client(k));
            veth(router, "r-c" + k, null, client, "eth0", clientAddress(k) + "/24");
            Ip.run("-n", router, "link", "set", "r-c" + k, "master", "br-clients");
            Ip.run("-n", client, "route", "add", "default", "via", "198.18.0.1");
        }
        String backends = add(backends());
        veth(router, "r-backends", "198.18.2.1/24", backends, "eth0", BACKENDS + "/24");
        Ip.run("-n", backends, "route", "add", "default", "via", "198.18.2.1");
        String sync = add(sync());
        Ip.run("-n", sync, "link", "add", "br0", "type", "bridge");
        Ip.run("-n", sync, "link", "set", "br0", "up");
        for (int i = 1; i <= dispatchers; i++) {
            String d = add(dispatcher(i));
            veth(router, "r-d" + i, "198.18." + (10 + i) + ".1/24", d, "eth0", linkAddress(i) + "/24");
            Ip.run("-n", d, "route", "add", "default", "via", "198.18." + (10 + i) + ".1");
            Ip.run("-n", d, "addr", "add", VIP + "/32", "dev", "lo");
            veth(sync, "s-d" + i, null, d, "sync0", syncAddress(i) + "/24");
            Ip.run("-n", sync, "link", "set", "s-d" + i, "master", "br0");
            inRoute.add(i);
        }
    }

    /** Installs the route to the VIP over every dispatcher; true when it is a resilient nexthop group. */
    private boolean routeToVip() {
        Ip.Result nh = Ip.attempt("-n", router(), "nexthop", "add", "id", "1", "via", linkAddress(1), "dev", "r-d1");
        boolean groups = nh.ok() && Ip.attempt("-n", router(), "nexthop", "add", "id", Integer.toString(NEXTHOP_GROUP),
                "group", "1", "type", "resilient", "buckets", BUCKETS, "idle_timer", IDLE_SECONDS).ok();
        if (!groups) {
            // an older kernel or iproute2: the plain multipath route (its hash-threshold rehash moves some
            // flows between surviving dispatchers when one leaves; a resilient group moves only the leaver's)
            Ip.attempt("-n", router(), "nexthop", "flush");
            System.out.println("[netns] no resilient nexthop groups here (" + nh.output().trim() + "): a plain multipath route");
            applyRoute(false);
            return false;
        }
        applyRoute(true);
        Ip.run("-n", router(), "route", "add", VIP + "/32", "nhid", Integer.toString(NEXTHOP_GROUP));
        return true;
    }

    private void applyRoute(boolean resilientGroup) {
        if (resilientGroup) {
            for (int i : inRoute) {
                // a link that went down took its nexthop object with it
                if (!Ip.attempt("-n", router(), "nexthop", "get", "id", Integer.toString(i)).ok()) {
                    Ip.run("-n", router(), "nexthop", "add", "id", Integer.toString(i), "via", linkAddress(i), "dev", "r-d" + i);
                }
            }
            if (inRoute.isEmpty()) {
                throw new IllegalStateException("a resilient group needs at least one dispatcher");
            }
            Ip.run("-n", router(), "nexthop", "replace", "id", Integer.toString(NEXTHOP_GROUP), "group",
                    inRoute.stream().map(String::valueOf).collect(Collectors.joining("/")), "type", "resilient", "buckets", BUCKETS, "idle_timer", IDLE_SECONDS);
        } else {
            List<String> cmd = new ArrayList<>(List.of("-n", router(), "route", "replace", VIP + "/32"));
            for (int i : inRoute) {
                cmd.addAll(List.of("nexthop", "via", linkAddress(i), "dev", "r-d" + i));
            }
            Ip.run(cmd.toArray(String[]::new));
        }
    }

    /** True when the route is a resilient nexthop group (a leaver's flows move, no one else's). */
    public boolean resilient() {
        return resilient;
    }

    // ---- changes a test makes ----

    /** Takes dispatcher {@code i} out of the route to the VIP, as a withdrawn BGP route would; its link stays up. */
    public synchronized void withdraw(int i) {
        check(i);
        inRoute.remove(i);
        applyRoute(resilient);
    }

    /** Puts dispatcher {@code i} back into the route to the VIP. */
    public synchronized void restore(int i) {
        check(i);
        inRoute.add(i);
        applyRoute(resilient);
    }

    /** Takes the router's link to dispatcher {@code i} down: the kernel drops its nexthop from the route. */
    public void linkDown(int i) {
        check(i);
        Ip.run("-n", router(), "link", "set", "r-d" + i, "down");
    }

    /** Brings the link up again and puts the dispatcher back into the route. */
    public synchronized void linkUp(int i) {
        check(i);
        Ip.run("-n", router(), "link", "set", "r-d" + i, "up");
        inRoute.add(i);
        applyRoute(resilient);
    }

    /** Cuts dispatcher {@code i} off the sync network (its bridge port down): a partition of it from the others. */
    public void partition(int i) {
        check(i);
        Ip.run("-n", sync(), "link", "set", "s-d" + i, "down");
    }

    /** Joins dispatcher {@code i} to the sync network again. */
    public void heal(int i) {
        check(i);
        Ip.run("-n", sync(), "link", "set", "s-d" + i, "up");
    }

    /** The router's route to the VIP as {@code ip} shows it (and the group's buckets per nexthop). */
    public String describeRoute() {
        String route = Ip.run("-n", router(), "route", "show", VIP);
        return resilient ? route + Ip.run("-n", router(), "nexthop", "show") : route;
    }

    private void check(int i) {
        if (i < 1 || i > dispatchers) {
            throw new IllegalArgumentException("no dispatcher " + i + " (1 to " + dispatchers + ")");
        }
    }

    // ---- removal ----

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran
        }
    }

    private void removeAll() {
        for (String ns : namespaces) {
            removeNamespace(ns);
        }
    }

    /** Ends what still runs in the namespace (SIGTERM, then SIGKILL after 5 s) and deletes it with its links. */
    static void removeNamespace(String ns) {
        List<ProcessHandle> inside = new ArrayList<>();
        Ip.Result pids = Ip.attempt("netns", "pids", ns);
        if (pids.ok()) {
            for (String line : pids.output().split("\n")) {
                if (line.matches("\\s*\\d+\\s*")) {
                    ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(inside::add);
                }
            }
        }
        inside.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle p : inside) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        Ip.Result del = Ip.attempt("netns", "del", ns);
        if (!del.ok() && !del.output().contains("No such file")) {
            System.out.println("[netns] could not delete " + ns + ": " + del.output().trim());
        }
    }
}
