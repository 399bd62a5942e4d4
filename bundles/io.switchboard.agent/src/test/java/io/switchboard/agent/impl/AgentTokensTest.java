package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AgentTokensTest {

    @Test
    void parsesTheTokensHaproxyReads() {
        assertEquals(new AgentTokens(40, null, AgentState.DRAIN), AgentTokens.parse(" 40% drain\n"));
        assertEquals(new AgentTokens(null, null, AgentState.MAINT), AgentTokens.parse("MAINT"));
        assertEquals(new AgentTokens(25, 10, null), AgentTokens.parse("25%,maxconn:10"));
        assertEquals(new AgentTokens(0, null, AgentState.DOWN), AgentTokens.parse("0% down"));
    }

    @Test
    void rejectsWhatIsNotAToken() {
        for (String bad : new String[] {"", "  ", "101%", "-5%", "x%", "drain maint", "50% 60%", "maxconn:", "sleepy", "50"}) {
            assertThrows(IllegalArgumentException.class, () -> AgentTokens.parse(bad), bad);
        }
    }

    @Test
    void anOverrideReplacesOnlyTheTokensItNames() {
        AgentTokens computed = new AgentTokens(75, null, AgentState.UP);
        assertEquals("75% ready up\n", computed.line());
        assertEquals("75% drain\n", computed.overriddenBy(AgentTokens.parse("drain")).line());
        assertEquals("25% ready up\n", computed.overriddenBy(AgentTokens.parse("25%")).line());
        assertEquals("40% maxconn:3 maint\n", computed.overriddenBy(AgentTokens.parse("maint maxconn:3 40%")).line());
        assertEquals(computed, computed.overriddenBy(null));
    }

    @Test
    void capacityIsTheLowerOfCpuAndClientHeadroomWithinOneToHundred() {
        assertEquals(100, CapacityRule.capacity(sample(null, null), 0), "nothing known");
        assertEquals(70, CapacityRule.capacity(sample(30.2, 5), 0), "cpu only without a client limit");
        assertEquals(50, CapacityRule.capacity(sample(30.0, 50), 100), "clients lower than cpu");
        assertEquals(70, CapacityRule.capacity(sample(30.0, 10), 100), "cpu lower than clients");
        assertEquals(1, CapacityRule.capacity(sample(100.0, 500), 100), "floor, never 0 or negative");
        assertEquals(100, CapacityRule.capacity(sample(Double.NaN, null), 0), "NaN is no figure");
        assertEquals(60, CapacityRule.capacity(sample(null, 40), 100), "clients without cpu");
    }

    static Sample sample(Double cpu, Integer clients) {
        return new Sample(clients, cpu, null, null, null, null, 0);
    }
}
