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
}
