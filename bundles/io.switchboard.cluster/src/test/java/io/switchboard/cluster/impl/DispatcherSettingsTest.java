package io.switchboard.cluster.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.config.ConfigProblem;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherSettingsTest {
    @Test
    void offByDefaultAndAGroupOfOneOnLoopbackWhenEnabled() throws Exception {
        assertFalse(DispatcherSettings.parse(Map.of()).enabled);
        DispatcherSettings s = DispatcherSettings.parse(Map.of("enabled", "true"));
        assertEquals("switchboard", s.group);
        assertEquals(DispatcherSettings.Transport.TCP, s.transport);
        assertEquals("127.0.0.1:7800", s.node);
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7800)), s.members);
        assertEquals(DispatcherSettings.SessionEnd.IDLE, s.sessionEnd);
        assertEquals(50, s.lockWaitMillis);
        assertEquals(600, s.tombstoneSeconds);
        assertEquals(60, s.groupWaitSeconds);
        assertEquals(5, DispatcherSettings.parse(Map.of("enabled", "true", "groupWaitSeconds", "5")).groupWaitSeconds);
    }

    @Test
    void readsAStaticMemberList() throws Exception {
        DispatcherSettings s = DispatcherSettings.parse(Map.of("enabled", "true", "bindPort", "7801", "node", "d1",
                "members", "127.0.0.1[7801], 127.0.0.1[7802]", "sessionEnd", "explicit"));
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7801), new InetSocketAddress("127.0.0.1", 7802)), s.members);
        assertEquals("d1", s.node);
        assertEquals(DispatcherSettings.SessionEnd.EXPLICIT, s.sessionEnd);
        assertTrue(StackXml.of(s).contains("initial_hosts=\"127.0.0.1[7801],127.0.0.1[7802]\""));
    }

    @Test
    void fileDiscoveryAndMulticast() throws Exception {
        DispatcherSettings f = DispatcherSettings.parse(Map.of("enabled", "true", "discoveryDir", "/tmp/sb-peers"));
        assertTrue(StackXml.of(f).contains("<FILE_PING location=\"/tmp/sb-peers\""));
        DispatcherSettings u = DispatcherSettings.parse(Map.of("enabled", "true", "transport", "udp", "mcastAddress", "239.1.2.3"));
        assertTrue(StackXml.of(u).contains("mcast_addr=\"239.1.2.3\""));
    }

    @Test
    void badValuesNameTheKeyAndTheReason() {
        assertProblem(Map.of("transport", "carrier-pigeon"), "transport", "'carrier-pigeon' is not one of tcp, udp");
        assertProblem(Map.of("bindPort", "70000"), "bindPort", "70000 is out of range 1..65535");
        assertProblem(Map.of("bindAddress", "localhost"), "bindAddress", "'localhost' is not an IP address");
        assertProblem(Map.of("members", "10.0.0.1:7800"), "members", "'10.0.0.1:7800' is not host[port] (e.g. 10.0.0.2[7800])");
        assertProblem(Map.of("group", "a b"), "group", "'a b' is not a name (letters, digits, '.', '_', '-', at most 64)");
        assertProblem(Map.of("mcastAddress", "10.0.0.1"), "mcastAddress", "10.0.0.1 is not a multicast address");
        assertProblem(Map.of("transport", "udp", "members", "127.0.0.1[7800]"), "transport",
                "udp finds its peers by multicast: members and discoveryDir are for tcp");
        assertProblem(Map.of("members", "127.0.0.1[7800]", "discoveryDir", "/tmp/x"), "discoveryDir",
                "give either members (a static list) or discoveryDir (a shared directory), not both");
        assertProblem(Map.of("sessionEnd", "never"), "sessionEnd", "'never' is not one of idle, explicit, close");
        assertProblem(Map.of("lockWaitMillis", "0"), "lockWaitMillis", "0 is out of range 1..10000");
        assertProblem(Map.of("lockWaitMillis", "soon"), "lockWaitMillis", null);
        assertProblem(Map.of("groupWaitSeconds", "0"), "groupWaitSeconds", "0 is out of range 1..3600");
        assertProblem(Map.of("groupWaitSeconds", "3601"), "groupWaitSeconds", "3601 is out of range 1..3600");
        assertProblem(Map.of("groupWaitSeconds", "a minute"), "groupWaitSeconds", null);
        assertProblem(Map.of("tombstoneSeconds", "0"), "tombstoneSeconds", "0 is out of range 1..2592000");
        assertProblem(Map.of("gruop", "x"), "gruop", null);
    }

    private static void assertProblem(Map<String, String> props, String key, String reason) {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> DispatcherSettings.parse(props));
        assertEquals(key, p.key());
        if (reason != null) {
            assertEquals(reason, p.reason());
        }
    }
}
