package io.switchboard.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.api.Endpoint;
import io.switchboard.api.core.RingStatus;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.telemetry.PoolCount;
import io.switchboard.api.telemetry.TrafficCell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScrapeTest {
    private static final long MS = 1_000_000;

    private static String text(List<MetricSnapshot> snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Scrape.write(snapshots, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String traffic(List<TrafficCell> cells) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        TrafficSeries.write(cells, out);
        return text(out);
    }

    @Test
    void cellsWithTheSameLabelsOnSeveralLoopsAreOneSeries() throws Exception {
        TrafficCell loop1 = new TrafficCell("web", "app", "a1", "10.0.0.1:80");
        TrafficCell loop2 = new TrafficCell("web", "app", "a1", "10.0.0.1:80");
        TrafficCell other = new TrafficCell("web", "app", "a2", "10.0.0.2:80");
        for (int i = 0; i < 10; i++) {
            loop1.request(200, 2 * MS);
        }
        loop2.request(200, 2 * MS);
        loop2.request(503, 40 * MS);
        loop2.retried();
        other.request(404, 0);
        String t = traffic(List.of(loop1, other, loop2));
        assertTrue(t.contains("switchboard_http_requests_total{address=\"10.0.0.1:80\",cluster=\"app\",code_class=\"2xx\",endpoint=\"a1\",frontend=\"web\"} 11.0\n"), t);
        assertTrue(t.contains("switchboard_http_requests_total{address=\"10.0.0.1:80\",cluster=\"app\",code_class=\"5xx\",endpoint=\"a1\",frontend=\"web\"} 1.0\n"), t);
        assertTrue(t.contains("switchboard_http_requests_total{address=\"10.0.0.2:80\",cluster=\"app\",code_class=\"4xx\",endpoint=\"a2\",frontend=\"web\"} 1.0\n"), t);
        assertTrue(t.contains("switchboard_retries_total{address=\"10.0.0.1:80\",cluster=\"app\",endpoint=\"a1\",frontend=\"web\"} 1.0\n"), t);
        assertFalse(t.contains("code_class=\"3xx\""), "a class with no request is left out: " + t);
        assertEquals(1, count(t, "switchboard_http_request_duration_seconds_count{address=\"10.0.0.1:80\""), t);
    }

    @Test
    void theHistogramIsCumulativeWithPrometheusBucketsAndItsSumInSeconds() throws Exception {
        TrafficCell c = new TrafficCell("web", "app", "a1", "10.0.0.1:80");
        c.request(200, MS / 2);      // le 0.001
        c.request(200, MS);          // le 0.001: the bound is inclusive
        c.request(200, 7 * MS);      // le 0.01
        c.request(200, 3_000 * MS);  // le 5
        c.request(200, 11_000 * MS); // +Inf
        String t = traffic(List.of(c));
        String labels = "address=\"10.0.0.1:80\",cluster=\"app\",endpoint=\"a1\",frontend=\"web\"";
        String[] le = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"};
        long[] cumulative = {2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5};
        StringBuilder expected = new StringBuilder()
                .append("# HELP switchboard_http_request_duration_seconds HTTP request durations, from the request head read to the response sent (or the request given up)\n")
                .append("# TYPE switchboard_http_request_duration_seconds histogram\n");
        for (int i = 0; i < le.length; i++) {
            expected.append("switchboard_http_request_duration_seconds_bucket{").append(labels).append(",le=\"").append(le[i]).append("\"} ")
                    .append(cumulative[i]).append('\n');
        }
        expected.append("switchboard_http_request_duration_seconds_count{").append(labels).append("} 5\n");
        expected.append("switchboard_http_request_duration_seconds_sum{").append(labels).append("} 14.0085\n");
        assertTrue(t.contains(expected), t);
    }

    @Test
    void labelValuesAreEscapedAsTheTextFormatWantsAndPromtoolParsesThem() throws Exception {
        TrafficCell c = new TrafficCell("we\"b\\1\nx", "app é", "a1", "[::1]:80");
        c.request(200, MS);
        String t = traffic(List.of(c));
        assertTrue(t.contains("switchboard_http_requests_total{address=\"[::1]:80\",cluster=\"app é\",code_class=\"2xx\",endpoint=\"a1\","
                + "frontend=\"we\\\"b\\\\1\\nx\"} 1.0\n"), t);
        assertEquals(0, count(t, "\nx\""), "no raw line feed inside a value: " + t);
        Promtool.check(t);
    }

    @Test
    void relaysShowOpenedAndStillOpen() throws Exception {
        TrafficCell c = new TrafficCell("tcp", "db", "d1", "10.0.0.9:5432");
        c.relayOpened();
        c.relayOpened();
        c.relayOpened();
        c.relayClosed();
        String t = traffic(List.of(c));
        assertTrue(t.contains("switchboard_relays_opened_total{address=\"10.0.0.9:5432\",cluster=\"db\",endpoint=\"d1\",frontend=\"tcp\"} 3.0\n"), t);
        assertTrue(t.contains("switchboard_relays_active{address=\"10.0.0.9:5432\",cluster=\"db\",endpoint=\"d1\",frontend=\"tcp\"} 2.0\n"), t);
        assertFalse(t.contains("switchboard_http_request"), "no HTTP series without HTTP requests: " + t);
    }

    @Test
    void aWholeScrapeHasEverySeriesAndPromtoolFindsNothingWrongWithIt() throws Exception {
        Fakes.FakeTelemetry telemetry = new Fakes.FakeTelemetry();
        Endpoint a1 = new Endpoint("a1", "10.0.0.1", 80, 1);
        Endpoint a2 = new Endpoint("a2", "10.0.0.2", 80, 1);
        TrafficCell c = new TrafficCell("web", "app", "a1", "10.0.0.1:80");
        c.request(200, 3 * MS);
        c.retried();
        TrafficCell none = new TrafficCell("web", "app", "", "");
        none.request(503, 0);
        TrafficCell relay = new TrafficCell("tcp", "app", "a2", "10.0.0.2:80");
        relay.relayOpened();
        telemetry.cells.addAll(List.of(c, none, relay));
        telemetry.pools.add(new PoolCount(a1, 5, 3));
        Fakes.FakeCounters k1 = new Fakes.FakeCounters();
        k1.active = 2;
        Fakes.FakeCounters k2 = new Fakes.FakeCounters();
        k2.ejections = 4;
        Fakes.FakeCluster app = new Fakes.FakeCluster("app", List.of(a1, a2), Map.of(a1, k1, a2, k2), Set.of(a2));
        List<MetricSnapshot> out = Scrape.collect(telemetry, null, Fakes.directory(app), null, null);
        PlatformSeries.frontends(List.of(status("web", 7), status("tcp", 1)), out);
        PlatformSeries.rings(List.of(new RingStatus("control", 4096, 4090), new RingStatus("slow", 8192, 8000),
                new RingStatus("slow", 8192, 8192)), out);
        Map<String, Map<String, Long>> updates = new TreeMap<>();
        updates.put("io.switchboard.metrics", Map.of("started", 3L, "rolled_back", 1L));
        PlatformSeries.updates(updates, out);
        String t = text(out);

        assertTrue(t.contains("switchboard_http_requests_total{address=\"\",cluster=\"app\",code_class=\"5xx\",endpoint=\"\",frontend=\"web\"} 1.0\n"), t);
        assertTrue(t.contains("switchboard_endpoint_up{address=\"10.0.0.1:80\",cluster=\"app\",endpoint=\"a1\"} 1.0\n"), t);
        assertTrue(t.contains("switchboard_endpoint_up{address=\"10.0.0.2:80\",cluster=\"app\",endpoint=\"a2\"} 0.0\n"), t);
        assertTrue(t.contains("switchboard_endpoint_ejections_total{address=\"10.0.0.2:80\",cluster=\"app\",endpoint=\"a2\"} 4.0\n"), t);
        assertTrue(t.contains("switchboard_endpoint_requests_in_flight{address=\"10.0.0.1:80\",cluster=\"app\",endpoint=\"a1\"} 2.0\n"), t);
        assertTrue(t.contains("switchboard_backend_pool_connections{address=\"10.0.0.1:80\",cluster=\"app\",endpoint=\"a1\",state=\"idle\"} 3.0\n"), t);
        assertTrue(t.contains("switchboard_backend_pool_connections{address=\"10.0.0.1:80\",cluster=\"app\",endpoint=\"a1\",state=\"busy\"} 2.0\n"), t);
        assertTrue(t.contains("switchboard_connections_active{frontend=\"web\"} 7.0\n"), t);
        assertTrue(t.contains("switchboard_ring_depth{ring=\"control\"} 6.0\n"), t);
        assertTrue(t.contains("switchboard_ring_depth{ring=\"slow\"} 192.0\n"), "a bus and its successor are one series: " + t);
        assertTrue(t.contains("switchboard_ring_remaining_capacity{ring=\"control\"} 4090.0\n"), t);
        assertTrue(t.contains("switchboard_bundle_updates_total{bundle=\"io.switchboard.metrics\",result=\"rolled_back\"} 1.0\n"), t);
        assertTrue(t.contains("switchboard_bundle_updates_total{bundle=\"io.switchboard.metrics\",result=\"started\"} 3.0\n"), t);
        for (String name : List.of("switchboard_http_requests_total", "switchboard_http_request_duration_seconds", "switchboard_retries_total",
                "switchboard_relays_opened_total", "switchboard_relays_active", "switchboard_connections_active",
                "switchboard_backend_pool_connections", "switchboard_endpoint_up", "switchboard_endpoint_ejections_total",
                "switchboard_endpoint_requests_in_flight", "switchboard_ring_depth", "switchboard_ring_remaining_capacity",
                "switchboard_bundle_updates_total", "jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collections_total",
                "process_uptime_seconds")) {
            assertEquals(1, count(t, "# TYPE " + name + " "), name + " once in: " + t);
        }
        Promtool.check(t);
    }

    @Test
    void theDispatcherClustersSyncIsScraped() throws Exception {
        io.switchboard.api.dispatch.DispatchTable table = new io.switchboard.api.dispatch.DispatchTable() {
            @Override public io.switchboard.api.dispatch.DispatchEntry lookup(String cluster, String client) { return null; }
            @Override public io.switchboard.api.dispatch.DispatchEntry record(String cluster, String client, String endpoint) { return null; }
            @Override public io.switchboard.api.dispatch.DispatchEntry reassign(String cluster, String client, String endpoint) { return null; }
            @Override public boolean end(String cluster, String client) { return false; }
            @Override public java.util.Collection<io.switchboard.api.dispatch.DispatchEntry> entries() { return List.of(); }
            @Override public int size() { return 3; }
            @Override public String node() { return "d1"; }
            @Override public java.util.Map<String, Long> counters() {
                return java.util.Map.ofEntries(java.util.Map.entry("updates_out", 10L), java.util.Map.entry("updates_in", 7L),
                        java.util.Map.entry("queued", 2L), java.util.Map.entry("queue_full", 1L), java.util.Map.entry("malformed", 4L),
                        java.util.Map.entry("untrusted_dropped", 5L), java.util.Map.entry("conflicts", 6L), java.util.Map.entry("table_full", 0L),
                        java.util.Map.entry("entries", 3L), java.util.Map.entry("delay_p50_micros", 1500L), java.util.Map.entry("delay_p99_micros", 9000L),
                        java.util.Map.entry("lock_requests", 11L), java.util.Map.entry("lock_waits", 12L), java.util.Map.entry("lock_timeouts", 1L),
                        java.util.Map.entry("locks_lost", 3L), java.util.Map.entry("locks", 2L));
            }
            @Override public java.util.Map<String, Long> peerLagMicros() { return java.util.Map.of("d2", 2500L); }
        };
        String t = text(Scrape.collect(null, null, null, null, null, table));
        assertTrue(t.contains("switchboard_dispatch_updates_total{direction=\"out\"} 10.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_updates_total{direction=\"in\"} 7.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_dropped_total{reason=\"malformed\"} 4.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_conflicts_total 6.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_locks_total{event=\"taken\"} 11.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_locks_total{event=\"waited\"} 12.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_locks_total{event=\"timed_out\"} 1.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_locks_total{event=\"lost\"} 3.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_locks_held 2.0\n"), t);
        assertTrue(t.contains("switchboard_dispatch_sync_delay_seconds{percentile=\"99\"} 0.009\n"), t);
        assertTrue(t.contains("switchboard_dispatch_peer_lag_seconds{peer=\"d2\"} 0.0025\n"), t);
        Promtool.check(t);
    }

    @Test
    void aScrapeWithNoServiceAtAllStillWritesTheJvmSeries() throws Exception {
        String t = text(Scrape.collect(null, null, null, null, null));
        assertTrue(t.contains("# TYPE jvm_threads_current gauge\n"), t);
        assertFalse(t.contains("switchboard_"), t);
        Promtool.check(t);
    }

    private static FrontendStatus status(String name, long active) {
        return new FrontendStatus(new FrontendSpec(name, "http", "127.0.0.1", 8080, "app"), 8080, null, active, active, 0, 0, 1, null);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
