package io.switchboard.control.impl.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.EndpointStatus.Check;
import org.junit.jupiter.api.Test;

class EndpointStateTest {
    @Test
    void aFlappingEndpointIsHeldOutByRiseAndFall() {
        EndpointState s = new EndpointState();
        s.startChecks();
        assertEquals(Check.UP, s.check());
        assertNull(s.checked(false, "refused", 2, 3));
        assertNull(s.checked(false, "refused", 2, 3));
        assertNull(s.checked(true, "ok", 2, 3), "a success resets the run");
        assertNull(s.checked(false, "refused", 2, 3));
        assertNull(s.checked(false, "refused", 2, 3));
        assertEquals(Check.DOWN, s.checked(false, "refused", 2, 3));
        // flapping: up, down, up, down never gives two successes in a row
        for (int i = 0; i < 10; i++) {
            assertNull(s.checked(i % 2 == 0, "flap", 2, 3));
            assertEquals(Check.DOWN, s.check());
        }
        assertNull(s.checked(true, "ok", 2, 3));
        assertEquals(Check.UP, s.checked(true, "ok", 2, 3));
    }

    @Test
    void anAgentsStateWordLastsUntilAnotherComesAndAllOfItGoesStale() {
        EndpointState s = new EndpointState();
        assertTrue(s.agentAnswered(AgentReport.parse("drain 50%"), 1000, 5000));
        assertTrue(s.drained(1000, 5000));
        assertFalse(s.agentAnswered(AgentReport.parse("50%"), 2000, 5000), "nothing changed");
        assertTrue(s.drained(2000, 5000), "a percentage alone keeps the state");
        assertTrue(s.agentAnswered(AgentReport.parse("up 80%"), 3000, 5000));
        assertFalse(s.drained(3000, 5000));
        assertEquals(80, s.agentPercent(3000, 5000));
        assertEquals(-1, s.agentPercent(9000, 5000), "stale: the configured weight applies");
        s.agentFailed("garbage answer");
        assertEquals(1, s.status(1, true, 9000, 5000).agentProblems());
    }

    @Test
    void theOperatorsDrainAndTheAgentsSurviveAHandOverAsPlainValues() {
        EndpointState s = new EndpointState();
        s.setDrained(true);
        s.agentAnswered(AgentReport.parse("down 20%"), 1000, 5000);
        s.agentFailed("slow");
        EndpointState t = EndpointState.fromValues(s.values());
        assertTrue(t.drainedByOperator());
        assertTrue(t.healthDown(2000, 5000));
        assertEquals(20, t.agentPercent(2000, 5000));
        assertEquals(1, t.status(1, false, 2000, 5000).agentProblems());
    }
}
