package io.switchboard.webconsole.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import io.switchboard.api.switching.TrackedFlow;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SwitchboardPageTest {
    private static final String EVIL = "<script>alert('x')</script>&\"";
    private final Endpoint demo1 = new Endpoint("demo-1", "127.0.0.1", 9001, 1);
    private final Endpoint demo2 = new Endpoint("demo-2", "127.0.0.1", 9002, 2);
    private final Endpoint evil = new Endpoint(EVIL, "127.0.0.1", 9003, 1);

    private final TransportInfo transport = new TransportInfo() {
        @Override public String name() { return "epoll"; }
        @Override public String fallbackReason() { return null; }
        @Override public int eventLoops() { return 2; }
    };

    private final FrontendService frontends = new FrontendService() {
        @Override public void apply(FrontendSpec spec) { }
        @Override public void remove(String name) { }
        @Override public List<FrontendStatus> frontends() {
            return List.of(new FrontendStatus(new FrontendSpec("demo", "http", "127.0.0.1", 8080, "demo"), 8080, null,
                    4, 10, 1234, 0, 2, "io.switchboard.handler.http 0.1.0"));
        }
        @Override public List<TrackedFlow> flows() { return List.of(); }
        @Override public ConnectionTableStats connectionTable() { return null; }
        @Override public List<DrainRecord> drains() {
            return List.of(new DrainRecord("old drain", 0, 1, 1, 0, 0, 5, true),
                    new DrainRecord("frontend demo: protocol http <replaced>", 1000, 64, 63, 1, 0, 44, true));
        }
    };

    private ClusterDirectory directory(ClusterSnapshot... clusters) {
        return new ClusterDirectory() {
            @Override public ClusterSnapshot cluster(String name) { return null; }
            @Override public List<ClusterSnapshot> clusters() { return List.of(clusters); }
            @Override public List<String> policies() { return List.of("round-robin"); }
            @Override public boolean setPolicy(String cluster, String policy) { return false; }
        };
    }

    private ClusterSnapshot demoCluster() {
        return new FakeCluster("demo", List.of(demo1, demo2), Map.of(
                demo1, new EndpointStatus(EndpointStatus.Admin.ENABLED, EndpointStatus.Check.UP, "200 in 2 ms", "75%", 100, 0, null, 1, true),
                demo2, new EndpointStatus(EndpointStatus.Admin.DRAINED, EndpointStatus.Check.NONE, null, null, -1, 2, "garbage", 0, false)),
                Set.of("demo-2"));
    }

    @Test
    void showsTransportFrontendsEndpointsWithHealthAndCountersAndDrains() {
        String html = new SwitchboardPage(new PlatformServices(transport, frontends, directory(demoCluster())), "tok", null).html();

        assertTrue(html.contains("epoll, 2 event loops"), html);
        assertTrue(html.contains("<td>demo</td><td>http</td><td>127.0.0.1:8080</td><td>demo</td><td>listening</td><td>2</td><td>4</td><td>10</td><td>1234</td>"), html);
        // demo-1: enabled, check up (detail as tooltip), agent 75%, passive up, eligible, counters
        assertTrue(html.contains("<tr><td>demo-1</td><td>127.0.0.1:9001</td><td>1</td><td>enabled</td><td title=\"200 in 2 ms\">up</td>"
                + "<td>75%</td><td>up</td><td>yes</td><td>6</td><td>106</td><td>3</td>"), html);
        // demo-2: drained, premium, effective weight 0 of configured 2, agent problems, not eligible
        assertTrue(html.contains("<tr><td>demo-2 (premium)</td><td>127.0.0.1:9002</td><td>0 (configured 2)</td><td>drained</td><td>none</td>"
                + "<td title=\"2 answers ignored, latest: garbage\">-</td><td>up</td><td>no</td>"), html);
        // a drained endpoint offers enable, an enabled one drain; both carry the token
        assertTrue(html.contains("name=\"endpoint\" value=\"demo/demo-1\"><input type=\"hidden\" name=\"token\" value=\"tok\"><input type=\"submit\" class=\"ui-button\" value=\"drain\">"), html);
        assertTrue(html.contains("name=\"endpoint\" value=\"demo/demo-2\"><input type=\"hidden\" name=\"token\" value=\"tok\"><input type=\"submit\" class=\"ui-button\" value=\"enable\">"), html);
        // drains newest first, escaped
        assertTrue(html.indexOf("frontend demo: protocol http &lt;replaced&gt;") < html.indexOf("old drain"), html);
    }

    @Test
    void escapesEverythingThatComesFromConfigurationBackEndsOrTheOperator() {
        ClusterSnapshot c = new FakeCluster(EVIL, List.of(evil), Map.of(
                evil, new EndpointStatus(EndpointStatus.Admin.ENABLED, EndpointStatus.Check.DOWN, EVIL, EVIL, 5, 1, EVIL, 1, false)),
                Set.of());
        String html = new SwitchboardPage(new PlatformServices(transport, frontends, directory(c)), "t\"><b>", EVIL).html();

        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("'x'"), html);
        assertFalse(html.contains("<b>"), html);
        String escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;";
        assertTrue(html.contains("<h3>" + escaped + "</h3>"), html);
        assertTrue(html.contains("<td title=\"" + escaped + "\">down</td>"), html);
        assertTrue(html.contains("value=\"" + escaped + "/" + escaped + "\""), html);
        assertTrue(html.contains("value=\"t&quot;&gt;&lt;b&gt;\""), html);
        assertTrue(html.startsWith("<p class=\"statline ui-state-highlight\">" + escaped + "</p>"), html);
    }

    @Test
    void saysWhichPartIsMissingWhileItsBundleIsUpdated() {
        String html = new SwitchboardPage(new PlatformServices(null, null, null), "tok", null).html();

        assertTrue(html.contains("The transport cannot be shown right now: io.switchboard.transport is not running (it may be being updated)"), html);
        assertTrue(html.contains("The clusters cannot be shown right now: io.switchboard.control is not running"), html);
        assertTrue(html.contains("The drains cannot be shown right now"), html);
        assertFalse(html.contains("<form"), html);
    }

    @Test
    void withoutATokenThereAreNoButtons() {
        String html = new SwitchboardPage(new PlatformServices(transport, frontends, directory(demoCluster())), null, null).html();

        assertTrue(html.contains("<td>demo-1</td>"), html);
        assertFalse(html.contains("<form"), html);
    }

    @Test
    void escapeLeavesPlainTextAlone() {
        assertEquals("demo-1 10.0.0.1:80", Html.escape("demo-1 10.0.0.1:80"));
        assertEquals("", Html.escape(null));
        assertEquals("a&amp;b&lt;&gt;&quot;&#39;", Html.escape("a&b<>\"'"));
    }
}
