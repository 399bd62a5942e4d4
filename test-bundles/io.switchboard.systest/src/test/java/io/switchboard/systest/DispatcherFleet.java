package io.switchboard.systest;

import io.switchboard.systest.netns.Ip;
import io.switchboard.systest.netns.RouterTopology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Runtimes as dispatchers behind the router of a {@link RouterTopology}: one per dispatcher
 * namespace, each with its own conf dir, a frontend {@code web} on the VIP and a cluster {@code web}
 * over the back-ends in the back-end namespace. Each adds {@code Via: 1.1 dN} to its responses, so a
 * client sees which dispatcher carried a connection, and binds its admin frontend to its sync address.
 */
final class DispatcherFleet implements AutoCloseable {
    /** The VIP's port: the dispatcher namespaces' own, shared with no other test. */
    static final int PORT = 8080;
    static final String URL = "http://" + RouterTopology.VIP + ":" + PORT + "/";

    final RouterTopology net;
    private final List<RuntimeProcess> runtimes = new ArrayList<>();
    private final List<Map<String, String>> confs = new ArrayList<>();
    private final List<String[]> args = new ArrayList<>();

    /**
     * Starts one runtime per dispatcher namespace and waits until each listens on the VIP. The
     * cluster {@code web}'s endpoints are {@code be1}, {@code be2}, … on the back-end ports in order;
     * {@code clusterOptions} are more of its lines (or ""), and {@code extraConf} gives dispatcher
     * {@code i} (1-based) more conf files, or none.
     */
    DispatcherFleet(RouterTopology net, List<Integer> backendPorts, String clusterOptions,
                    IntFunction<Map<String, String>> extraConf, String... extraJvmArgs) throws Exception {
        this.net = net;
        StringBuilder endpoints = new StringBuilder();
        for (int k = 0; k < backendPorts.size(); k++) {
            endpoints.append(k == 0 ? "" : ", ").append("be").append(k + 1).append('=')
                    .append(RouterTopology.BACKENDS).append(':').append(backendPorts.get(k));
        }
        try {
            for (int i = 1; i <= net.dispatchers(); i++) {
                Map<String, String> conf = new LinkedHashMap<>();
                conf.put("io.switchboard.cluster-web.cfg", "endpoints = " + endpoints + "\n" + clusterOptions);
                conf.put("io.switchboard.frontend-web.cfg", "address = " + RouterTopology.VIP + "\nport = " + PORT + "\ncluster = web\n");
                conf.put("io.switchboard.frontends.cfg", "via = d" + i + "\n");
                conf.putAll(extraConf.apply(i));
                List<String> jvm = new ArrayList<>(List.of("-Dswitchboard.admin.address=" + RouterTopology.syncAddress(i)));
                jvm.addAll(List.of(extraJvmArgs));
                confs.add(conf);
                args.add(jvm.toArray(String[]::new));
                runtimes.add(RuntimeProcess.inNamespace(net.dispatcher(i), conf, args.get(i - 1)));
            }
            for (RuntimeProcess rt : runtimes) {
                awaitListening(rt);
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private static void awaitListening(RuntimeProcess rt) throws InterruptedException {
        rt.awaitOutput(0, l -> l.contains("frontend web listening on /" + RouterTopology.VIP + ":" + PORT), 180_000);
    }

    /**
     * Starts dispatcher {@code i} again (its runtime must have ended), with the files it first had in a
     * new conf dir; returns once it listens on the VIP.
     */
    RuntimeProcess restart(int i) throws Exception {
        if (runtime(i).alive()) {
            throw new IllegalStateException("dispatcher " + i + " still runs");
        }
        RuntimeProcess rt = RuntimeProcess.inNamespace(net.dispatcher(i), confs.get(i - 1), args.get(i - 1));
        runtimes.set(i - 1, rt);
        awaitListening(rt);
        return rt;
    }

    /** Dispatcher {@code i}'s runtime, 1-based. */
    RuntimeProcess runtime(int i) {
        return runtimes.get(i - 1);
    }

    /** Connections dispatcher {@code i}'s frontend {@code web} accepted so far (TOTAL in sb:status). */
    long accepted(int i) throws Exception {
        return webColumn(i, 7);
    }

    /** Connections open at dispatcher {@code i}'s frontend {@code web} now (CONNS in sb:status). */
    long open(int i) throws Exception {
        return webColumn(i, 6);
    }

    private long webColumn(int i, int column) throws Exception {
        List<String> status = runtime(i).command("sb:status", 20_000);
        for (String line : status) {
            // FRONTEND  PROTO  ADDRESS  CLUSTER  STATE  ACCEPTORS  CONNS  TOTAL  REQUESTS  REFUSED
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 10 && cols[0].equals("web") && cols[1].equals("http")) {
                return Long.parseLong(cols[column]);
            }
        }
        throw new AssertionError("dispatcher " + i + "'s sb:status shows no frontend web: " + status);
    }

    /** The HTTP status of dispatcher {@code to}'s admin API asked from dispatcher {@code from} over the sync network; 0 when unreachable. */
    int adminStatusOverSync(int from, int to) {
        Ip.Result r = Ip.exec(RouterTopology.exec(net.dispatcher(from), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "2", "http://" + RouterTopology.syncAddress(to) + ":" + runtime(to).adminPort + "/api/status"), 10);
        String code = r.output().trim();
        return code.matches("\\d+") ? Integer.parseInt(code) : 0;
    }

    @Override
    public void close() throws Exception {
        for (RuntimeProcess rt : runtimes) {
            rt.close();
        }
    }
}
