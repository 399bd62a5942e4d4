package io.switchboard.accesslog.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogSettingsTest {
    @Test
    void noConfigurationMeansOff() throws Exception {
        AccessLogSettings s = AccessLogSettings.parse(Map.of());
        assertEquals(false, s.enabled);
        assertEquals(Path.of("logs/access.log"), s.path);
        assertEquals("combined", s.format);
        assertEquals(8192, s.ringSize);
        assertEquals(100L << 20, s.rotateBytes);
        assertEquals(10, s.keep);
    }

    @Test
    void readsEveryKey() throws Exception {
        AccessLogSettings s = AccessLogSettings.parse(Map.of("enabled", "true", "path", "/var/log/sb/access.log", "format", "HAProxy",
                "ringSize", "1024", "rotateBytes", "0", "rotateDaily", "yes", "keep", "3"));
        assertEquals(true, s.enabled);
        assertEquals(Path.of("/var/log/sb/access.log"), s.path);
        assertEquals("haproxy", s.format);
        assertEquals(1024, s.ringSize);
        assertEquals(0, s.rotateBytes);
        assertEquals(true, s.rotateDaily);
        assertEquals(3, s.keep);
        assertEquals("haproxy to /var/log/sb/access.log, rotated daily, 3 kept, ring of 1024 entries", s.describe());
    }

    @Test
    void badValuesNameTheKeyAndTheReason() {
        assertProblem(Map.of("ringSize", "1000"), "ringSize", "1000 is not a power of two");
        assertProblem(Map.of("ringSize", "8"), "ringSize", "8 is out of range 16..4194304");
        assertProblem(Map.of("format", "apache"), "format", "'apache' is not one of combined, haproxy, json");
        assertProblem(Map.of("enabled", "maybe"), "enabled", "'maybe' is not true or false");
        assertProblem(Map.of("keep", "-1"), "keep", "-1 is out of range 0..1000");
        assertProblem(Map.of("rotateBytes", "100"), "rotateBytes", "100 is below 4096 (0 turns rotation by size off)");
        assertProblem(Map.of("rotateBytes", "10MB"), "rotateBytes", "'10MB' is not a whole number");
        assertProblem(Map.of("path", "  "), "path", "empty value");
        assertProblem(Map.of("formt", "json"), "formt",
                "unknown key (known: enabled, format, keep, path, ringSize, rotateBytes, rotateDaily)");
    }

    @Test
    void theRejectionLineNamesTheFile() {
        Map<String, Object> props = new HashMap<>(Map.of("ringSize", "1000"));
        props.put(ConfigReader.FILENAME, "conf/io.switchboard.accesslog.cfg");
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> AccessLogSettings.parse(props));
        assertEquals("config rejected: conf/io.switchboard.accesslog.cfg: key 'ringSize': 1000 is not a power of two; "
                + "the access log keeps its settings",
                new ConfigReader(props, AccessLogSettings.KEYS).rejected(p, "the access log keeps its settings"));
    }

    private static void assertProblem(Map<String, ?> props, String key, String reason) {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> AccessLogSettings.parse(props));
        assertEquals(key, p.key());
        assertEquals(reason, p.reason());
    }
}
