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

    @Test
    void readsSwitchboardsJsonReport() {
        AgentReport r = AgentReport.parseJson("{\"host\":\"web1\",\"servicePort\":8080,\"clients\":12,\"cpuPercent\":3.5,"
                + "\"requestsPerSecond\":120.5,\"averageExecutionMillis\":4.25,\"capacityPercent\":96,\"state\":\"up\","
                + "\"extra\":{\"nested\":[1,2]}}");
        assertEquals(96, r.percent());
        assertEquals(AgentReport.State.UP, r.state());
        assertEquals(12, r.clients());
        assertEquals(3.5, r.cpuPercent());
        assertEquals(120.5, r.requestsPerSecond());
        assertEquals(4.25, r.averageExecutionMillis());
        assertEquals("96% up", r.line());
        AgentReport bare = AgentReport.parseJson("{\"state\":\"drain\"}");
        assertEquals(-1, bare.percent());
        assertTrue(Double.isNaN(bare.cpuPercent()));
        assertEquals(AgentReport.State.DRAIN, bare.state());
    }

    @Test
    void aJsonReportOfTheWrongShapeIsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("75%"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("{\"capacityPercent\":\"high\"}"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("{\"capacityPercent\":150}"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("{\"state\":\"sleepy\"}"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("{\"cpuPercent\":-1}"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("{\"clients\":3"));
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parseJson("[1,2]"));
    }
}
