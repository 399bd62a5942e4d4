package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Active health checks and drain in the exported runtime, under wrk load: a back-end killed
 * outright is taken out with no failed request (GETs are retried on another endpoint, and the
 * check keeps it out), comes back after its checks pass, and a drained endpoint gets no new request
 * until enabled.
 */
class HealthSystemIT {
    private static final int CONNECTIONS = 16;

    @Test
    void aKilledBackendIsTakenOutWithoutAFailedRequestAndADrainedOneGetsNoNewWork() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int web = RuntimeProcess.freePort();
        int pa = RuntimeProcess.freePort();
        int pb = RuntimeProcess.freePort();
        int pc = RuntimeProcess.freePort();
        NginxBackends b = NginxBackends.single(pb);
        try (NginxBackends a = NginxBackends.single(pa); NginxBackends c = NginxBackends.single(pc)) {
            Map<String, String> conf = Map.of(
                    "io.switchboard.cluster-web.cfg", "endpoints = a=127.0.0.1:" + pa + ", b=127.0.0.1:" + pb + ", c=127.0.0.1:" + pc + "\n"
                            + "policy = weighted-round-robin\nhealthCheck = http\nhealthPath = /\nhealthStatus = 200\n"
                            + "healthIntervalMillis = 1500\nhealthTimeoutMillis = 250\nfall = 2\nrise = 2\nslowStartSeconds = 6\n",
                    "io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = web\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(web, 60_000);
                awaitStatus(web, 200, 20_000);
                awaitHealth(rt, "b", "up", "yes");
                WrkRun load = WrkRun.start("http://127.0.0.1:" + web + "/", CONNECTIONS, 60);
                try {
                    Thread.sleep(2_000);
                    b.kill();
                    long killed = System.nanoTime();
                    // Passive health ejects it from the failed requests, before two checks 1.5 s apart can fail.
                    awaitHealth(rt, "b", "up", "no");
                    long ejectedMillis = (System.nanoTime() - killed) / 1_000_000;
                    System.out.println("[systest] killed back-end ejected by passive health after " + ejectedMillis
                            + " ms, while its active check still said up");
                    awaitHealth(rt, "b", "down", "no");
                    Thread.sleep(1_000); // traffic keeps flowing over a and c
                    b = NginxBackends.single(pb);
                    awaitHealth(rt, "b", "up", "yes");
                    int ramp = effectiveWeight(rt, "b");
                    assertTrue(ramp < 100, "back from down, b ramps up by slow start from 10 % of its weight (as 100): " + ramp);
                    assertTrue(served(b, 2_000) > 100, "b takes requests again once its checks pass");
                    long deadline = System.nanoTime() + 15_000_000_000L;
                    while (effectiveWeight(rt, "b") != 1 && System.nanoTime() < deadline) {
                        Thread.sleep(300);
                    }
                    assertEquals(1, effectiveWeight(rt, "b"), "at the end of the slow start b balances with its configured weight");

                    List<String> said = rt.command("sb:drain web/c", 10_000);
                    assertTrue(String.join("\n", said).contains("drained web/c"), said.toString());
                    Thread.sleep(300); // requests already on their way to c finish
                    long drainedServed = served(c, 2_000);
                    // its health checks go on (one each 500 ms); under this load it would otherwise serve thousands
                    assertTrue(drainedServed <= 8, "a drained endpoint gets no new request, but it served " + drainedServed);
                    assertTrue(String.join("\n", rt.command("sb:endpoints web", 10_000)).contains("drained"));
                    rt.command("sb:enable web/c", 10_000);
                    assertTrue(served(c, 2_000) > 100, "enabled again, c takes requests");
                } finally {
                    WrkRun.Summary s = load.stop();
                    System.out.println("[systest] wrk during kill, return, drain and enable: " + s.requests() + " requests, "
                            + s.non2xx() + " non-2xx, " + s.socketErrors() + " socket errors");
                    assertEquals(0, s.non2xx() + s.socketErrors(), "failed requests while a back-end died and came back:\n" + s.text());
                }
            }
        } finally {
            b.close();
        }
    }

    /** The endpoint's effective weight as sb:weights shows it. */
    private static int effectiveWeight(RuntimeProcess rt, String endpoint) throws Exception {
        for (String line : rt.command("sb:weights web", 10_000)) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 3 && cols[0].equals(endpoint)) {
                return Integer.parseInt(cols[2]);
            }
        }
        throw new AssertionError("sb:weights web does not list " + endpoint);
    }

    /** Requests the back-end served over the next {@code millis} (its status requests taken off). */
    private static long served(NginxBackends backend, long millis) throws Exception {
        long before = backend.requests();
        Thread.sleep(millis);
        return backend.requests() - before - 1;
    }

    /** Waits until sb:health shows the endpoint with this check verdict and eligibility. */
    private static void awaitHealth(RuntimeProcess rt, String endpoint, String check, String eligible) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        List<String> last = List.of();
        while (System.nanoTime() < deadline) {
            last = rt.command("sb:health web", 10_000);
            for (String line : last) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length >= 7 && cols[0].equals("web") && cols[1].equals(endpoint) && cols[4].equals(check) && cols[6].equals(eligible)) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("endpoint " + endpoint + " not " + check + "/" + eligible + " within 15 s: " + last);
    }
}
