package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.control.impl.cluster.ClusterSpec;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void frontendFromAFileInstallConfiguration() throws Exception {
        FrontendSpec f = FrontendSettings.parse(props("port", "8081", "cluster", "api", "address", "127.0.0.1",
                "protocol", "TCP", "service.pid", "io.switchboard.frontend.1234", "service.factoryPid", "io.switchboard.frontend",
                ConfigReader.FILENAME, "file:/srv/conf/io.switchboard.frontend-web.cfg"));
        assertEquals(new FrontendSpec("web", "tcp", "127.0.0.1", 8081, "api"), f);
        assertTrue(f.source().endsWith("io.switchboard.frontend-web.cfg"), f.source());
    }

    @Test
    void frontendNameFromANamedFactoryConfiguration() throws Exception {
        FrontendSpec f = FrontendSettings.parse(props("port", 80, "cluster", "c", "service.pid", "io.switchboard.frontend~edge"));
        assertEquals("edge", f.name());
        assertEquals("0.0.0.0", f.bindAddress());
        assertEquals("http", f.protocol());
    }

    @Test
    void negativePortIsRejectedNamingTheKey() {
        ConfigProblem p = assertThrows(ConfigProblem.class,
                () -> FrontendSettings.parse(props("name", "web", "port", "-1", "cluster", "c")));
        assertEquals("port", p.key());
        assertTrue(p.reason().contains("out of range"), p.reason());
    }

    @Test
    void keysBeyondTheCommonOnesAreTheProtocolsOptionsCheckedWhenTheFrontendBinds() throws Exception {
        FrontendSpec f = FrontendSettings.parse(props("name", "web", "port", "80", "cluster", "c", "via", "edge", "prot", "http"));
        assertEquals(java.util.Map.of("via", "edge", "prot", "http"), f.options());
    }

    @Test
    void portThatIsNotANumberIsRejected() {
        ConfigProblem p = assertThrows(ConfigProblem.class,
                () -> FrontendSettings.parse(props("name", "web", "port", "eighty", "cluster", "c")));
        assertEquals("port", p.key());
    }

    @Test
    void missingClusterAndBadProtocolAndHostNameAddressAreRejected() {
        assertEquals("cluster", assertThrows(ConfigProblem.class,
                () -> FrontendSettings.parse(props("name", "web", "port", "80"))).key());
        assertEquals("protocol", assertThrows(ConfigProblem.class,
                () -> FrontendSettings.parse(props("name", "web", "port", "80", "cluster", "c", "protocol", "sm tp"))).key());
        assertEquals("address", assertThrows(ConfigProblem.class,
                () -> FrontendSettings.parse(props("name", "web", "port", "80", "cluster", "c", "address", "localhost"))).key());
    }

    @Test
    void virtualServicesWithTheirClusters() throws Exception {
        FrontendSpec f = FrontendSettings.parse(props("name", "vs", "port", "8080", "cluster", "web",
                "services", "127.0.0.2:8080, 127.0.0.3=api"));
        assertEquals("web", f.clusterFor(new java.net.InetSocketAddress("127.0.0.2", 8080)));
        assertEquals("api", f.clusterFor(new java.net.InetSocketAddress("127.0.0.3", 8080)));
        assertEquals(null, f.clusterFor(new java.net.InetSocketAddress("127.0.0.4", 8080)));
        assertEquals("web", FrontendSettings.parse(props("name", "all", "port", "80", "cluster", "web"))
                .clusterFor(new java.net.InetSocketAddress("10.1.2.3", 80)), "no services: every destination");
        for (String bad : new String[] {"localhost:80", "127.0.0.2:x", "127.0.0.2:80=", "127.0.0.2,127.0.0.2:8080"}) {
            assertEquals("services", assertThrows(ConfigProblem.class,
                    () -> FrontendSettings.parse(props("name", "vs", "port", "8080", "cluster", "web", "services", bad)), bad).key());
        }
    }

    @Test
    void clusterWithIdsWeightsAndDefaults() throws Exception {
        ClusterSpec c = ClusterSettings.parse(props("name", "api", "endpoints", "a=127.0.0.1:9001;weight=3, 127.0.0.1:9002"));
        assertEquals("round-robin", c.policy());
        assertEquals(2, c.endpoints().size());
        assertEquals("a", c.endpoints().get(0).id());
        assertEquals(3, c.endpoints().get(0).weight());
        assertEquals("127.0.0.1:9002", c.endpoints().get(1).id());
        assertEquals(9002, c.endpoints().get(1).port());
    }

    @Test
    void clusterEndpointsAsAnArray() throws Exception {
        ClusterSpec c = ClusterSettings.parse(props("name", "api", "endpoints", new String[] {"127.0.0.1:1", "127.0.0.1:2"}));
        assertEquals(2, c.endpoints().size());
    }

    @Test
    void clusterIdleTimeoutIsReadAndRangeChecked() throws Exception {
        assertEquals(60_000, ClusterSettings.parse(props("name", "api", "endpoints", "127.0.0.1:1")).options().idleTimeoutMillis());
        assertEquals(250, ClusterSettings.parse(props("name", "api", "endpoints", "127.0.0.1:1", "idleTimeoutMillis", "250"))
                .options().idleTimeoutMillis());
        ConfigProblem p = assertThrows(ConfigProblem.class,
                () -> ClusterSettings.parse(props("name", "api", "endpoints", "127.0.0.1:1", "idleTimeoutMillis", "0")));
        assertEquals("idleTimeoutMillis", p.key());
    }

    @Test
    void emptyClusterIsRejected() {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> ClusterSettings.parse(props("name", "api", "endpoints", "")));
        assertEquals("endpoints", p.key());
        assertTrue(p.reason().contains("at least one endpoint"));
        assertEquals("endpoints", assertThrows(ConfigProblem.class, () -> ClusterSettings.parse(props("name", "api"))).key());
    }

    @Test
    void badEndpointsAreRejectedWithTheItem() {
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", "127.0.0.1:80;w=2",
                "127.0.0.1:80;weight=-1", "a=127.0.0.1:1,a=127.0.0.1:2", "127.0.0.1:1,,127.0.0.1:2"}) {
            ConfigProblem p = assertThrows(ConfigProblem.class, () -> ClusterSettings.parse(props("name", "c", "endpoints", bad)), bad);
            assertEquals("endpoints", p.key(), bad);
        }
    }

    @Test
    void sourceNamesTheFileRelativeToTheWorkingDirectory() {
        String cwd = java.nio.file.Paths.get("").toAbsolutePath().toUri().toString();
        ConfigReader r = new ConfigReader(props(ConfigReader.FILENAME, cwd + "conf/io.switchboard.cluster-api.cfg"), ClusterSettings.KEYS);
        assertEquals("conf/io.switchboard.cluster-api.cfg", r.source());
        assertEquals("pid x", new ConfigReader(props("service.pid", "x"), ClusterSettings.KEYS).source());
    }

    @Test
    void localEndpointsAreWrittenLocalColonName() throws Exception {
        ClusterSpec c = ClusterSettings.parse(props("name", "admin", "endpoints", "admin=local:admin;weight=2, local:status, 127.0.0.1:9001"));
        assertEquals(3, c.endpoints().size());
        io.switchboard.api.Endpoint a = c.endpoints().get(0);
        assertTrue(a.isLocal());
        assertEquals("admin", a.id());
        assertEquals("admin", a.localName());
        assertEquals(2, a.weight());
        assertEquals("local:status", c.endpoints().get(1).id());
        assertEquals("status", c.endpoints().get(1).localName());
        assertTrue(!c.endpoints().get(2).isLocal());
    }

    @Test
    void badLocalEndpointsAreRejectedWithTheReason() {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> ClusterSettings.parse(props("name", "a", "endpoints", "local:")));
        assertTrue(p.getMessage().contains("not a local application name"), p.getMessage());
        p = assertThrows(ConfigProblem.class, () -> ClusterSettings.parse(props("name", "a", "endpoints", "local:a b")));
        assertTrue(p.getMessage().contains("not a local application name"), p.getMessage());
        p = assertThrows(ConfigProblem.class, () -> ClusterSettings.parse(props("name", "a", "endpoints", "local:admin;agent=9000")));
        assertTrue(p.getMessage().contains("has no agent"), p.getMessage());
    }
}
