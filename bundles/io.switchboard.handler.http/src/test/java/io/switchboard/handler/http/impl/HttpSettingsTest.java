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
}
