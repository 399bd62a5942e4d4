package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.RawHttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The web console profile's jar, started as a process: the console opens only with the password it
 * printed (never admin/admin), every bundle is active, the Switchboard page lists the demo cluster's
 * endpoints and drains one (CSRF-checked), and the page and console bundles are updated and
 * refreshed from the shell while requests flow through the demo frontend, none failing.
 */
class WebConsoleSystemIT {
    private static final Pattern PASSWORD = Pattern.compile("web console: \\S+ {2}user admin {2}password (\\S+) ");
    private static final Pattern DEMO_BACKENDS = Pattern.compile("demo back-ends \\[demo-1=(\\S+), demo-2=(\\S+)\\]");
    /** Started only when asked for (-Dswitchboard.telnet.port), see switchboard.bndrun. */
    private static final String REMOTE_SHELL = "org.apache.felix.shell.remote";

    @Test
    void consoleBundlesAndSwitchboardPageSurviveUpdateAndRefreshUnderLoad() throws Exception {
        int consolePort = RuntimeProcess.freePort();
        try (RuntimeProcess rt = RuntimeProcess.webConsole("-Dorg.osgi.service.http.port=" + consolePort)) {
            rt.awaitPort(rt.demoPort, 60_000);
            Matcher pw = PASSWORD.matcher(rt.awaitOutput("web console: "));
            assertTrue(pw.find(), "the generated password is printed: " + rt.output);
            Matcher demo = DEMO_BACKENDS.matcher(rt.awaitOutput("demo back-ends"));
            assertTrue(demo.find());
            ConsoleClient console = new ConsoleClient(consolePort, "admin", pw.group(1));

            // The console answers only with the printed password.
            console.await("/bundles", "Bundles", 30_000);
            assertEquals(401, console.getAs("/bundles", null).statusCode());
            assertEquals(401, console.getAs("/bundles", basic("admin", "admin")).statusCode());

            // Every bundle is active (the remote shell waits to be asked for; the epoll fragment is attached).
            Map<String, String> states = ConsoleClient.bundleStates(console.get("/bundles.json").body());
            assertTrue(states.size() > 40 && states.containsKey("io.switchboard.webconsole"), states.toString());
            states.forEach((bsn, state) -> assertTrue(state.equals("Active") || state.equals("Fragment")
                    || bsn.equals(REMOTE_SHELL) && state.equals("Resolved"), bsn + " is " + state));

            String page = console.await("/switchboard", "demo-2", 20_000);
            assertPageListsDemoEndpoints(page, demo.group(1), demo.group(2));
            drainFromThePage(console, page);

            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicLong served = new AtomicLong();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread load = new Thread(() -> {
                while (loading.get() && failure.get() == null) {
                    try (RawHttpClient c = new RawHttpClient(rt.demoPort)) {
                        int status = c.get("/").status;
                        if (status != 200) {
                            failure.set("GET / answered " + status);
                        }
                        served.incrementAndGet();
                    } catch (Exception e) {
                        failure.set(e.toString());
                    }
                }
            }, "demo-load");
            load.start();
            try {
                rt.updateAndRefresh("io.switchboard.webconsole");
                // The same password after the update: it is kept for the run, not made anew.
                assertPageListsDemoEndpoints(console.await("/switchboard", "demo-2", 20_000), demo.group(1), demo.group(2));
                for (String bsn : List.of("org.apache.felix.webconsole", "org.apache.felix.http.jetty")) {
                    rt.updateAndRefresh(bsn, "switchboard:" + bsn);
                    assertPageListsDemoEndpoints(console.await("/switchboard", "demo-2", 20_000), demo.group(1), demo.group(2));
                }
            } finally {
                loading.set(false);
                load.join(10_000);
            }
            System.out.printf("[systest] %d requests served while the console bundles were updated and refreshed%n", served.get());
            assertEquals(null, failure.get());
            assertTrue(served.get() > 50, "requests served under load: " + served.get());
            Map<String, String> after = ConsoleClient.bundleStates(console.get("/bundles.json").body());
            assertEquals(states, after);
        }
    }

    private static void assertPageListsDemoEndpoints(String page, String demo1, String demo2) {
        assertTrue(page.contains("<td>demo-1</td><td>" + demo1 + "</td>"), page);
        assertTrue(page.contains("<td>demo-2</td><td>" + demo2 + "</td>"), page);
        assertTrue(page.contains("<h3>demo</h3>"), page);
        assertTrue(page.contains("event loops"), page);
    }

    /** A POST without the page's token, or from another site, does nothing; with it, demo-2 is drained, then enabled. */
    private static void drainFromThePage(ConsoleClient console, String page) throws Exception {
        Matcher token = Pattern.compile("name=\"token\" value=\"([^\"]+)\"").matcher(page);
        assertTrue(token.find(), page);
        String drain = "action=drain&endpoint=demo%2Fdemo-2&token=";
        HttpResponse<String> forged = console.post("/switchboard", drain + "guess", null);
        assertEquals(302, forged.statusCode());
        HttpResponse<String> foreign = console.post("/switchboard", drain + token.group(1), "http://evil.example");
        assertTrue(foreign.headers().firstValue("Location").orElse("").contains("another+site"), foreign.headers().toString());
        assertFalse(console.get("/switchboard").body().contains("<td>drained</td>"));

        HttpResponse<String> done = console.post("/switchboard", drain + token.group(1), null);
        assertEquals(302, done.statusCode());
        assertTrue(console.get("/switchboard").body().contains("<td>demo-2</td><td>"), "page after drain");
        assertTrue(console.get("/switchboard").body().contains("<td>drained</td>"), "demo-2 drained");
        console.post("/switchboard", "action=enable&endpoint=demo%2Fdemo-2&token=" + token.group(1), null);
        assertFalse(console.get("/switchboard").body().contains("<td>drained</td>"), "demo-2 enabled again");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
