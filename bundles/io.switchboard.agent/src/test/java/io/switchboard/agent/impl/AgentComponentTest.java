package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The component's lifecycle methods as SCR calls them, without a framework. */
class AgentComponentTest {

    @Test
    void activateListensAndDeactivateLeavesNothingBehind() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        AgentComponent c = new AgentComponent();
        c.activate(Map.of("servicePort", 8080, "listen", port, "bind", "127.0.0.1", "component.name", "x"));
        assertTrue(AgentOverSocketTest.LINE.matcher(AgentClient.ask(port, null)).matches());
        c.deactivate();
        assertTrue(AgentOverSocketTest.agentThreads().isEmpty(), AgentOverSocketTest.agentThreads().toString());
        // activate again on the same port: what an update or a changed configuration does
        c.activate(Map.of("servicePort", 8080, "listen", port, "bind", "127.0.0.1"));
        assertTrue(AgentOverSocketTest.LINE.matcher(AgentClient.ask(port, null)).matches());
        c.deactivate();
    }

    @Test
    void aBadConfigurationOrABusyPortIsLoggedNotThrownAndStartsNothing() throws Exception {
        AgentComponent c = new AgentComponent();
        c.activate(Map.of("servicePort", 0));
        assertEquals(0, AgentOverSocketTest.agentThreads().size());
        c.deactivate();
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            c.activate(Map.of("servicePort", 8080, "listen", busy.getLocalPort(), "bind", "127.0.0.1"));
            assertEquals(0, AgentOverSocketTest.agentThreads().size(), AgentOverSocketTest.agentThreads().toString());
            c.deactivate();
        }
    }
}
