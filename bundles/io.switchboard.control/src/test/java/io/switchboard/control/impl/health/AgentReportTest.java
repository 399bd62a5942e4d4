package io.switchboard.control.impl.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AgentReportTest {
    @Test
    void readsHaproxyAgentCheckAnswers() {
        AgentReport r = AgentReport.parse("75%");
        assertEquals(75, r.percent());
        assertEquals(AgentReport.State.NONE, r.state());
        r = AgentReport.parse(" up 40% maxconn:30\r");
        assertEquals(40, r.percent());
        assertEquals(30, r.maxconn());
        assertEquals(AgentReport.State.UP, r.state());
        assertEquals(AgentReport.State.DRAIN, AgentReport.parse("drain").state());
        assertEquals(AgentReport.State.MAINT, AgentReport.parse("MAINT").state());
        assertEquals(AgentReport.State.DOWN, AgentReport.parse("down,10%").state());
        assertEquals(AgentReport.State.DOWN, AgentReport.parse("stopped").state());
        assertEquals(AgentReport.State.UP, AgentReport.parse("ready").state());
        assertEquals(100, AgentReport.parse("250%").percent(), "more than full capacity is full capacity");
    }

    @Test
    void garbageIsRejectedWhole() {
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse(""));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("75% banana"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("-5%"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("x%"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("maxconn:"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("99999999%"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("x".repeat(600)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("up \u0001\u0002x 10%"));
        assertTrue(e.getMessage().contains("??"), e.getMessage());
    }
}
