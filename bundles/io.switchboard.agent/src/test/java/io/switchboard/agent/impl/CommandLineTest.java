package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void defaultsAndGivenValues() throws Exception {
        AgentOptions o = CommandLine.parse(List.of("--service-port", "8080"));
        assertEquals(8080, o.servicePort());
        assertEquals(5555, o.listen());
        assertEquals("0.0.0.0", o.bind());
        assertEquals(1000, o.intervalMillis());
        assertEquals(50, o.readWindowMillis());
        assertNull(o.accessLog());
        assertNull(o.statusUrl());
        assertEquals(0, o.maxClients());

        o = CommandLine.parse(List.of("--service-port=80", "--listen", "6000", "--access-log", "/var/log/nginx/access.log",
                "--time-regex", "rt=([0-9.]+)", "--time-unit", "ms", "--state-file", "/run/agent.state", "--max-clients=200"));
        assertEquals(6000, o.listen());
        assertEquals(Path.of("/var/log/nginx/access.log"), o.accessLog());
        assertEquals(1.0, o.millisPerUnit());
        assertEquals(200, o.maxClients());
    }

    @Test
    void badValuesAreOneClearLine() {
        assertMessage("--service-port is required", List.of("--listen", "5555"));
        assertMessage("--service-port: '70000' is not a whole number in 1..65535", List.of("--service-port", "70000"));
        assertMessage("--listen: 'abc' is not a whole number in 0..65535", List.of("--service-port", "1", "--listen", "abc"));
        assertMessage("unknown option --port", List.of("--port", "1"));
        assertMessage("--listen needs a value", List.of("--service-port", "1", "--listen"));
        assertMessage("--access-log and --status-url exclude each other: give one", List.of("--service-port", "1",
                "--access-log", "a.log", "--status-url", "http://127.0.0.1/stub_status"));
        assertMessage("--status-url: 'ftp://x/' is not an http:// URL with a host", List.of("--service-port", "1",
                "--status-url", "ftp://x/"));
        assertMessage("--time-regex: 'a(b)(c)' must have exactly one group, it has 2", List.of("--service-port", "1",
                "--access-log", "a.log", "--time-regex", "a(b)(c)"));
        assertMessage("--time-unit: 'h' is not s, ms or us", List.of("--service-port", "1", "--access-log", "a", "--time-unit", "h"));
        assertMessage("unexpected argument '8080'", List.of("8080"));
        assertTrue(CommandLine.wantsHelp(List.of("--service-port", "1", "--help")));
        assertTrue(CommandLine.usage().contains("--state-file FILE"));
    }

    @Test
    void aConfigurationIsTheSameOptionsInCamelCase() throws Exception {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("service.pid", "io.switchboard.agent");
        props.put("component.id", 7L);
        props.put("servicePort", 8080);
        props.put("listen", "0");
        props.put("intervalMs", 250);
        props.put("accessLog", "");
        props.put("readWindowMs", new String[] {"20"});
        assertEquals(List.of("--service-port=8080", "--listen=0", "--interval-ms=250", "--read-window-ms=20"),
                AgentComponent.arguments(props));
        AgentOptions o = CommandLine.parse(AgentComponent.arguments(props));
        assertEquals(250, o.intervalMillis());
        assertNull(o.accessLog(), "an empty string is 'not set'");
    }

    private static void assertMessage(String expected, List<String> args) {
        assertEquals(expected, assertThrows(UsageException.class, () -> CommandLine.parse(args)).getMessage());
    }
}
