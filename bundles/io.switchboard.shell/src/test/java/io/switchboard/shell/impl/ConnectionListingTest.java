package io.switchboard.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What sb:conns prints: columns, the filter, the summary, and a large table cut short. */
class ConnectionListingTest {
    private static final long NOW = 1_000_000;
    private static final ConnectionTableStats TABLE = new ConnectionTableStats(2, 1000, 0, 0);

    @Test
    void listsEachFlowWithItsEndpointOrADash() {
        Flow http = new Flow(7, "http", "web", "shop", "10.0.0.5", new Endpoint("app1", "10.1.0.1", 8080, 1));
        Flow tcp = new Flow(9, "tcp", "db", "pg", "10.0.0.6", null);
        String out = ConnectionListing.render(List.of(http, tcp), TABLE, "", NOW);
        assertEquals(""
                + "FLOW  PROTO  FRONTEND  CLUSTER  CLIENT          ENDPOINT            HANDLER  AGE  BYTES-IN  BYTES-OUT\n"
                + "7     http   web       shop     10.0.0.5:40000  app1=10.1.0.1:8080  default  3s   100       200\n"
                + "9     tcp    db        pg       10.0.0.6:40000  -                   default  3s   100       200\n"
                + "2 listed, 2 open (table bound 1000), 0 untracked since start", out);
    }

    @Test
    void theFilterMatchesFrontendClusterClientEndpointProtocolOrHandlerWhateverTheCase() {
        Flow a = new Flow(1, "http", "web", "shop", "10.0.0.5", new Endpoint("app1", "10.1.0.1", 8080, 1));
        Flow b = new Flow(2, "tcp", "db", "pg", "10.0.0.6", new Endpoint("10.2.0.1:5432", "10.2.0.1", 5432, 1));
        List<TrackedFlow> both = List.of(a, b);
        for (String f : List.of("WEB", "shop", "10.0.0.5", "APP1", "10.1.0.1:8080", "http")) {
            assertEquals(List.of(1L), listed(both, f), f);
        }
        for (String f : List.of("db", "pg", "10.0.0.6", "10.2.0.1:5432", "tcp")) {
            assertEquals(List.of(2L), listed(both, f), f);
        }
        assertEquals(List.of(1L, 2L), listed(both, "default"));
        assertEquals(List.of(), listed(both, "nothing-like-it"));
        assertTrue(ConnectionListing.render(both, TABLE, "web", NOW).endsWith("1 listed matching 'web', 2 open (table bound 1000), 0 untracked since start"));
    }

    @Test
    void aLargeTableIsCutShortAndTheOverflowIsSaid() {
        List<TrackedFlow> many = new ArrayList<>();
        for (int i = 1; i <= FlowText.MAX_LISTED + 5; i++) {
            many.add(new Flow(i, "http", "web", "shop", "10.0.0.5", null));
        }
        String out = ConnectionListing.render(many, new ConnectionTableStats(205, 205, 3, 8), "", NOW);
        assertEquals(FlowText.MAX_LISTED, out.lines().filter(l -> l.matches("\\d+ .*")).count() - 1, out); // rows, not the summary
        assertTrue(out.contains("... and 5 more\n"), out);
        assertTrue(out.endsWith("205 listed, 205 open (table bound 205), 8 untracked since start"
                + " (3 of them open, served but not listed: the table was full)"), out);
    }

    private static List<Long> listed(List<TrackedFlow> flows, String filter) {
        List<Long> ids = new ArrayList<>();
        for (TrackedFlow f : flows) {
            if (ConnectionListing.matches(f, filter.toLowerCase(java.util.Locale.ROOT))) {
                ids.add(f.id());
            }
        }
        return ids;
    }

    /** A flow with fixed values, as the transport's would read. */
    private static final class Flow implements TrackedFlow {
        private final long id;
        private final String protocol;
        private final String frontend;
        private final String cluster;
        private final InetSocketAddress client;
        private final Endpoint endpoint;

        Flow(long id, String protocol, String frontend, String cluster, String clientIp, Endpoint endpoint) {
            this.id = id;
            this.protocol = protocol;
            this.frontend = frontend;
            this.cluster = cluster;
            this.client = new InetSocketAddress(clientIp, 40000);
            this.endpoint = endpoint;
        }

        @Override public long id() { return id; }
        @Override public String protocol() { return protocol; }
        @Override public String frontend() { return frontend; }
        @Override public String cluster() { return cluster; }
        @Override public InetSocketAddress clientAddress() { return client; }
        @Override public InetSocketAddress localAddress() { return null; }
        @Override public String attribute(String name) { return null; }
        @Override public String owner() { return "default"; }
        @Override public long messages() { return 1; }
        @Override public boolean reassign(Reassignment r) { return false; }
        @Override public boolean handBack() { return false; }
        @Override public void countIn(long bytes) { }
        @Override public void countOut(long bytes) { }
        @Override public long bytesIn() { return 100; }
        @Override public long bytesOut() { return 200; }
        @Override public long openedMillis() { return NOW - 3500; }
        @Override public Reassignment reassignment() { return null; }
        @Override public void track(Reassignment r) { }
        @Override public long reassignedMillis() { return 0; }
        @Override public void countMessage() { }
        @Override public boolean closed() { return false; }
        @Override public Endpoint endpoint() { return endpoint; }
        @Override public void endpoint(Endpoint e) { }
    }
}
