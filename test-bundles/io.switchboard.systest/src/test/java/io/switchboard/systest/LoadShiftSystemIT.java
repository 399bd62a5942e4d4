package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitStatus;
import static io.switchboard.systest.SystemTests.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Load follows the agents: three nginx back-ends, each with the project's agent beside it (the real
 * jar, started with {@code java -jar}), behind a cluster balanced by weighted round-robin with the
 * damped distribution over the agents' JSON reports. Under wrk load, one agent's reported capacity
 * drops to 20 %, then comes back: each back-end's share of the requests is measured every half
 * second (from nginx's own counters) and must follow, within the agent interval and damping.
 */
class LoadShiftSystemIT {
    private static final long WINDOW_MILLIS = 500;

    @Test
    void trafficShiftsAwayFromTheBackendWhoseAgentReportsLessCapacityAndBack() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int web = RuntimeProcess.freePort();
        List<NginxBackends> backends = new ArrayList<>();
        List<Process> agents = new ArrayList<>();
        Path dir = Files.createTempDirectory("sb-agents");
        try {
            StringBuilder endpoints = new StringBuilder();
            List<Path> stateFiles = new ArrayList<>();
            for (String id : List.of("a", "b", "c")) {
                int port = RuntimeProcess.freePort();
                backends.add(NginxBackends.single(port));
                Path state = dir.resolve(id + ".state");
                write(state, "100%\n");
                stateFiles.add(state);
                int agentPort = startAgent(agents, port, state);
                endpoints.append(endpoints.length() == 0 ? "" : ", ").append(id).append("=127.0.0.1:").append(port).append(";agent=").append(agentPort);
            }
            Map<String, String> conf = Map.of(
                    "io.switchboard.cluster-web.cfg", "endpoints = " + endpoints + "\npolicy = weighted-round-robin\n"
                            + "agentFormat = json\ndistribution = damped\nagentIntervalMillis = 500\nagentTimeoutMillis = 300\n",
                    "io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = web\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(web, 60_000);
                awaitStatus(web, 200, 20_000);
                WrkRun load = WrkRun.start("http://127.0.0.1:" + web + "/", 16, 60);
                List<String> report = new ArrayList<>();
                try {
                    Thread.sleep(2_000);
                    double[] even = shares(backends, 3_000, report, "all agents at 100 %");
                    for (double s : even) {
                        assertEquals(1 / 3.0, s, 0.06, "even shares at first: " + report);
                    }
                    write(stateFiles.get(1), "20%\n");
                    long changed = System.nanoTime();
                    long shiftedMillis = -1;
                    for (int i = 0; i < 20 && shiftedMillis < 0; i++) {
                        double[] s = shares(backends, WINDOW_MILLIS, report, "b's agent at 20 %, t+" + (System.nanoTime() - changed) / 1_000_000 + " ms");
                        if (s[1] < 0.13) {
                            shiftedMillis = (System.nanoTime() - changed) / 1_000_000;
                        }
                    }
                    assertTrue(shiftedMillis > 0, "b's share did not fall below 13 % within 10 s: " + report);
                    Thread.sleep(1_500); // the damping settles
                    double[] low = shares(backends, 3_000, report, "b at 20 %, settled");
                    assertEquals(20 / 220.0, low[1], 0.04, "b gets 20/220 of the requests: " + report);
                    assertEquals(100 / 220.0, low[0], 0.06, report.toString());
                    assertEquals(100 / 220.0, low[2], 0.06, report.toString());

                    write(stateFiles.get(1), "100%\n");
                    Thread.sleep(4_000);
                    double[] back = shares(backends, 3_000, report, "b's agent back at 100 %, settled");
                    assertEquals(1 / 3.0, back[1], 0.06, "b's share comes back: " + report);
                    report.add("b's share fell below 13 % " + shiftedMillis + " ms after its agent's report changed");
                } finally {
                    WrkRun.Summary s = load.stop();
                    report.add("wrk: " + s.requests() + " requests, " + s.non2xx() + " non-2xx, " + s.socketErrors() + " socket errors");
                    Path out = Path.of(System.getProperty("user.dir"), "target", "load-shift-report.txt");
                    Files.createDirectories(out.getParent());
                    Files.write(out, report);
                    report.forEach(l -> System.out.println("[systest] " + l));
                    assertEquals(0, s.non2xx() + s.socketErrors(), s.text());
                }
            }
        } finally {
            for (Process p : agents) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            for (NginxBackends b : backends) {
                b.close();
            }
        }
    }

    /** Starts the agent jar for a back-end port; returns the port it answers on, read from its first line. */
    private static int startAgent(List<Process> agents, int servicePort, Path stateFile) throws Exception {
        String jar = new File(System.getProperty("sb.agent.jar")).getAbsolutePath();
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar,
                "--service-port", Integer.toString(servicePort), "--listen", "0", "--bind", "127.0.0.1",
                "--state-file", stateFile.toString(), "--interval-ms", "200").redirectErrorStream(true).start();
        agents.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        Matcher m = Pattern.compile("listening on [^ ]*:(\\d+)").matcher(line == null ? "" : line);
        if (!m.find()) {
            throw new AssertionError("the agent did not say where it listens: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // keep its output from filling the pipe
                }
            } catch (java.io.IOException e) {
                // ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
    }

    /** Each back-end's share of the requests served over the next {@code millis}; appended to the report. */
    private static double[] shares(List<NginxBackends> backends, long millis, List<String> report, String label) throws Exception {
        long[] before = new long[backends.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = backends.get(i).requests();
        }
        Thread.sleep(millis);
        long[] served = new long[backends.size()];
        long total = 0;
        for (int i = 0; i < served.length; i++) {
            served[i] = backends.get(i).requests() - before[i] - 1; // its own status request
            total += served[i];
        }
        double[] shares = new double[served.length];
        StringBuilder line = new StringBuilder(label).append(": ");
        for (int i = 0; i < served.length; i++) {
            shares[i] = total == 0 ? 0 : served[i] / (double) total;
            line.append(i == 0 ? "" : ", ").append((char) ('a' + i)).append(String.format(" %.1f %%", 100 * shares[i]));
        }
        report.add(line.append(" of ").append(total).append(" requests").toString());
        return shares;
    }
}
