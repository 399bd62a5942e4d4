package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.config.ConfigProblem;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {
    @Test
    void underscoreHeadersAreDroppedByDefaultPassedWhenAskedAndAnythingElseIsRejected() throws ConfigProblem {
        assertTrue(HttpSettings.parse(Map.of()).dropUnderscoreHeaders);
        assertFalse(HttpSettings.parse(Map.of("underscoreHeaders", "pass")).dropUnderscoreHeaders);
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> HttpSettings.parse(Map.of("underscoreHeaders", "maybe")));
        assertEquals("underscoreHeaders", p.key());
        assertTrue(p.getMessage().contains("'maybe' is not drop or pass"), p.getMessage());
    }

    @Test
    void bodyAndTunnelLimitsHaveTheirDefaultsAndBadValuesAreRejectedNamingTheKey() throws ConfigProblem {
        HttpSettings d = HttpSettings.parse(Map.of());
        assertEquals(3600, d.tunnelIdleSeconds);
        assertEquals(60, d.requestBodyTimeoutSeconds);
        assertEquals(240, d.minBodyRateBytesPerSecond);
        assertEquals(5, d.bodyRateWindowSeconds);
        assertTrue(d.watchesBody());
        HttpSettings off = HttpSettings.parse(Map.of("requestBodyTimeoutSeconds", "0", "minBodyRateBytesPerSecond", "0"));
        assertFalse(off.watchesBody());
        for (Map<String, String> bad : java.util.List.of(Map.of("tunnelIdleSeconds", "0"), Map.of("tunnelIdleSeconds", "soon"),
                Map.of("requestBodyTimeoutSeconds", "-1"), Map.of("minBodyRateBytesPerSecond", "-5"),
                Map.of("bodyRateWindowSeconds", "0"), Map.of("bodyRateWindowSeconds", "61"))) {
            ConfigProblem p = assertThrows(ConfigProblem.class, () -> HttpSettings.parse(bad), bad.toString());
            assertEquals(bad.keySet().iterator().next(), p.key());
        }
    }

    @Test
    void http2OptionsHaveTheirDefaultsAndABadValueNamesItsKey() throws ConfigProblem {
        H2Limits d = HttpSettings.parse(Map.of()).h2;
        assertFalse(d.h2c);
        assertEquals(100, d.maxConcurrentStreams);
        assertEquals(16384, d.maxHeaderListBytes);
        assertEquals(16384, d.maxFrameBytes);
        assertEquals(200, d.maxResets);
        assertEquals(30, d.resetWindowSeconds);
        H2Limits set = HttpSettings.parse(Map.of("h2c", "true", "h2MaxConcurrentStreams", "8", "h2MaxFrameBytes", "65536")).h2;
        assertTrue(set.h2c);
        assertEquals(8, set.maxConcurrentStreams);
        assertEquals(65536, set.maxFrameBytes);
        Map<String, String> bad = Map.of("h2c", "maybe", "h2MaxConcurrentStreams", "0", "h2MaxHeaderListBytes", "10",
                "h2MaxFrameBytes", "16383", "h2MaxResets", "-1", "h2ResetWindowSeconds", "x");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            ConfigProblem p = assertThrows(ConfigProblem.class, () -> HttpSettings.parse(Map.of(e.getKey(), e.getValue())), e.toString());
            assertEquals(e.getKey(), p.key());
        }
    }
}
