package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The admin page of the exported runtime, served through the switch from the local application
 * {@code admin}: its JSON has the figures {@code sb:status} prints at the same moment, a real
 * headless browser renders those figures on the page (and a screenshot of it is kept in
 * {@code target/status-page.png}), and updating the admin bundles under load fails no request.
 */
class AdminSystemIT {
    private static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");

    @Test
    void thePageShowsWhatSbStatusShows() throws Exception {
        ExternalTools.require("chromium");
        try (RuntimeProcess rt = new RuntimeProcess()) {
            rt.awaitPort(rt.demoPort, 60_000);
            rt.awaitPort(rt.adminPort, 60_000);
            SystemTests.awaitStatus(rt.adminPort, 200, 20_000);
            for (int i = 0; i < 7; i++) {
                assertEquals(200, SystemTests.get(rt.demoPort));
            }
            Thread.sleep(300); // the demo connections have closed: nothing moves but the admin page's own requests

            // The JSON and sb:status, one right after the other: only the admin request itself differs.
            Map<String, String> json = Figures.fromJson(getBody(rt.adminPort, "/api/status"));
            Map<String, String> shell = Figures.fromStatus(rt.command("sb:status", 20_000));
            for (String key : List.of("frontend/demo/connections", "frontend/demo/totalConnections", "frontend/demo/requests",
                    "frontend/demo/address", "frontend/demo/refused", "frontend/demo/acceptors", "frontend/admin/requests",
                    "frontend/admin/address", "cluster/demo/requests", "cluster/demo/active", "cluster/demo/failures",
                    "cluster/demo/endpoints", "cluster/admin/requests", "endpoint/demo/demo-1/requests", "endpoint/demo/demo-2/requests",
                    "endpoint/demo/demo-1/address", "endpoint/demo/demo-1/weight", "endpoint/demo/demo-1/state",
                    "endpoint/admin/admin/address", "endpoint/admin/admin/requests", "endpoint/admin/admin/state")) {
                assertNotNull(json.get(key), key + " in api/status: " + json);
                assertEquals(shell.get(key), json.get(key), key + ": api/status " + json + "\nsb:status " + shell);
            }
            assertEquals("7", json.get("frontend/demo/requests"));
            assertEquals("local:admin", json.get("endpoint/admin/admin/address"));

            // What the browser renders once its script has fetched api/status.
            Path chromium = ExternalTools.find("chromium").toPath();
            String dom = run(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000",
                    "--dump-dom", "http://127.0.0.1:" + rt.adminPort + "/"));
            Map<String, String> page = Figures.fromDom(dom);
            Matcher refreshes = Pattern.compile("data-refreshes=\"(\\d+)\"").matcher(dom);
            assertTrue(refreshes.find() && Integer.parseInt(refreshes.group(1)) >= 1, "the page's script fetched api/status: " + dom);
            Map<String, String> now = Figures.fromJson(getBody(rt.adminPort, "/api/status"));
            Map<String, String> shellNow = Figures.fromStatus(rt.command("sb:status", 20_000));
            int compared = 0;
            for (Map.Entry<String, String> e : page.entrySet()) {
                boolean demo = e.getKey().startsWith("frontend/demo/") || e.getKey().startsWith("cluster/demo/") || e.getKey().startsWith("endpoint/demo/");
                if (demo && now.containsKey(e.getKey())) {
                    assertEquals(now.get(e.getKey()), e.getValue(), e.getKey() + " on the page vs api/status");
                    if (shellNow.containsKey(e.getKey())) {
                        assertEquals(shellNow.get(e.getKey()), e.getValue(), e.getKey() + " on the page vs sb:status");
                        compared++;
                    }
                }
            }
            assertTrue(compared >= 15, "figures compared with sb:status: " + compared + " of " + page);
            assertEquals("7", page.get("frontend/demo/requests"));
            assertEquals("local:admin", page.get("endpoint/admin/admin/address"));
            assertEquals("up", page.get("endpoint/admin/admin/state"));
            assertEquals("yes", page.get("endpoint/admin/admin/eligible"));
            long adminRequestsOnPage = Long.parseLong(page.get("cluster/admin/requests"));
            assertTrue(adminRequestsOnPage >= Long.parseLong(json.get("cluster/admin/requests"))
                    && adminRequestsOnPage <= Long.parseLong(now.get("cluster/admin/requests")), "admin requests move forward only");

            Files.createDirectories(TARGET);
            Path shot = TARGET.resolve("status-page.png");
            Files.deleteIfExists(shot);
            run(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=3000",
                    "--window-size=1280,1024", "--screenshot=" + shot.toAbsolutePath(), "http://127.0.0.1:" + rt.adminPort + "/"));
            assertTrue(Files.size(shot) > 10_000, "a screenshot of the page in " + shot);
            System.out.println("[systest] status page screenshot: " + shot.toAbsolutePath());

            // The Prometheus scrape, as a Prometheus server gets it, checked by Prometheus' own parser.
            ExternalTools.require("promtool");
            RawHttpClient.Response metrics = getResponse(rt.adminPort, "/metrics");
            assertEquals(200, metrics.status, metrics.toString());
            assertTrue(metrics.body.contains("switchboard_http_requests_total{"), metrics.body);
            Path scrape = Files.createTempFile("scrape", ".txt");
            Files.writeString(scrape, metrics.body);
            String checked = run(List.of("sh", "-c", ExternalTools.find("promtool") + " check metrics < " + scrape + " 2>&1"));
            System.out.println("[systest] promtool check metrics on /metrics: ok " + checked.trim());
            Files.deleteIfExists(scrape);
        }
    }

    @Test
    void updatingTheAdminBundlesUnderLoadFailsNoRequest() throws Exception {
        ExternalTools.require("wrk");
        try (RuntimeProcess rt = new RuntimeProcess()) {
            rt.awaitPort(rt.demoPort, 60_000);
            SystemTests.awaitStatus(rt.adminPort, 200, 30_000);
            WrkRun load = WrkRun.start("http://127.0.0.1:" + rt.demoPort + "/", 32, 3600);
            Thread.sleep(1_000);
            for (int round = 0; round < 2; round++) {
                rt.updateAndRefresh("io.switchboard.admin");
                rt.updateAndRefresh("io.switchboard.local");
            }
            WrkRun.Summary during = load.stop();
            System.out.println("[systest] wrk during the admin updates:\n" + during.text());
            assertTrue(during.requests() > 1000, "load ran: " + during.text());
            assertEquals(0, during.non2xx(), "non-2xx responses on the demo frontend: " + during.text());
            assertEquals(0, during.socketErrors(), "socket errors on the demo frontend: " + during.text());

            SystemTests.awaitStatus(rt.adminPort, 200, 30_000); // the page answers again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String body = "";
            while (System.nanoTime() < deadline && !body.contains("\"local:admin\"")) {
                body = getBody(rt.adminPort, "/api/status");
                Thread.sleep(100);
            }
            assertTrue(body.contains("\"local:admin\""), body);
            List<String> frontends = rt.command("sb:frontends", 20_000);
            assertTrue(frontends.stream().anyMatch(l -> l.startsWith("admin ") && l.contains("listening")), frontends.toString());
        }
    }

    private static RawHttpClient.Response getResponse(int port, String path) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get(path);
        }
    }

    private static String getBody(int port, String path) throws Exception {
        RawHttpClient.Response r = getResponse(port, path);
        assertEquals(200, r.status, path + ": " + r);
        return r.body;
    }

    /** Runs a program to its end (within a minute) and returns its standard output. */
    private static String run(List<String> command) throws Exception {
        Path err = Files.createTempFile("chromium", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end; " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), command + ": " + Files.readString(err));
        Files.deleteIfExists(err);
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * The same figures from three sources, by one key each: {@code frontend/NAME/FIELD},
     * {@code cluster/NAME/FIELD}, {@code endpoint/CLUSTER/ID/FIELD}.
     */
    static final class Figures {
        private Figures() {
        }

        /** The page: every cell its script marked with {@code data-k}. */
        static Map<String, String> fromDom(String dom) {
            Map<String, String> m = new HashMap<>();
            Matcher x = Pattern.compile("data-k=\"([^\"]+)\"[^>]*>([^<]*)<").matcher(dom);
            while (x.find()) {
                m.put(x.group(1), x.group(2).replace("&amp;", "&"));
            }
            return m;
        }

        /** api/status, read with a small pattern per object: the report writes one field per line. */
        static Map<String, String> fromJson(String json) {
            Map<String, String> m = new HashMap<>();
            String frontends = section(json, "\"frontends\"", "\"clusters\"");
            for (String f : frontends.split("\\}, \\{")) {
                String name = field(f, "name");
                for (String k : List.of("address", "connections", "totalConnections", "requests", "refused", "acceptors")) {
                    m.put("frontend/" + name + "/" + k, field(f, k));
                }
            }
            String clusters = json.substring(json.indexOf("\"clusters\""));
            for (String c : clusters.split("\\n  \\}, \\{")) {
                String name = field(c, "name");
                int endpoints = c.indexOf("\"endpoints\"");
                int afterEndpoints = c.lastIndexOf("],");
                String own = c.substring(0, endpoints) + c.substring(afterEndpoints);
                for (String k : List.of("active", "requests", "failures")) {
                    m.put("cluster/" + name + "/" + k, field(own, k));
                }
                String eps = c.substring(endpoints, afterEndpoints);
                int count = 0;
                for (String e : eps.split("\\}, \\{")) {
                    if (!e.contains("\"id\"")) {
                        continue;
                    }
                    count++;
                    String id = field(e, "id");
                    String health = e.substring(e.indexOf("\"health\""));
                    String outer = e.substring(0, e.indexOf("\"health\"")) + health.substring(health.indexOf('}') + 1);
                    for (String k : List.of("address", "weight", "state", "active", "requests", "failures")) {
                        m.put("endpoint/" + name + "/" + id + "/" + k, field(outer, k));
                    }
                }
                m.put("cluster/" + name + "/endpoints", String.valueOf(count));
            }
            return m;
        }

        private static String section(String json, String from, String to) {
            return json.substring(json.indexOf(from), json.indexOf(to));
        }

        private static String field(String part, String name) {
            Matcher x = Pattern.compile("\"" + name + "\" : (\"([^\"]*)\"|[^,\\n}]+)").matcher(part);
            if (!x.find()) {
                return null;
            }
            return x.group(2) != null ? x.group(2) : x.group(1).trim();
        }

        /** sb:status: the frontends table, the clusters table, then each cluster's endpoints. */
        static Map<String, String> fromStatus(List<String> lines) {
            Map<String, String> m = new HashMap<>();
            String table = null;
            String cluster = null;
            for (String raw : lines) {
                String line = raw.strip();
                String[] c = line.split("\\s+");
                if (line.isEmpty()) {
                    table = null;
                } else if (line.startsWith("FRONTEND ")) {
                    table = "frontends";
                } else if (line.startsWith("CLUSTER ")) {
                    table = "clusters";
                } else if (line.startsWith("ENDPOINT ")) {
                    table = "endpoints";
                } else if (line.endsWith(":") && !line.contains(" ")) {
                    cluster = line.substring(0, line.length() - 1);
                    table = null;
                } else if ("frontends".equals(table) && c.length >= 10 && c[4].equals("listening")) {
                    String k = "frontend/" + c[0] + "/";
                    put(m, k, List.of("protocol", "address", "cluster", "state", "acceptors", "connections", "totalConnections", "requests", "refused"), c);
                } else if ("clusters".equals(table) && c.length == 6) {
                    put(m, "cluster/" + c[0] + "/", List.of("policy", "endpoints", "active", "requests", "failures"), c);
                } else if ("endpoints".equals(table) && cluster != null && c.length == 7) {
                    put(m, "endpoint/" + cluster + "/" + c[0] + "/", List.of("address", "weight", "state", "active", "requests", "failures"), c);
                }
            }
            return m;
        }

        private static void put(Map<String, String> m, String prefix, List<String> names, String[] cells) {
            List<String> values = new ArrayList<>(List.of(cells).subList(1, cells.length));
            for (int i = 0; i < names.size() && i < values.size(); i++) {
                m.put(prefix + names.get(i), values.get(i));
            }
        }
    }
}
