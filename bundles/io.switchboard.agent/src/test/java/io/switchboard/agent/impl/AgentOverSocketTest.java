package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A started agent on 127.0.0.1, asked over real sockets. It watches a real service: a server socket
 * of this test, with real client connections, counted from this host's /proc.
 */
class AgentOverSocketTest {
    static final Pattern LINE = Pattern.compile("(\\d{1,3})% ready up\n");

    @TempDir
    Path dir;
    private ServerSocket service;
    private final List<Socket> clients = new ArrayList<>();
    private Path stateFile;
    private Agent agent;
    private int port;

    @BeforeEach
    void start() throws Exception {
        service = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        stateFile = dir.resolve("agent.state");
        agent = Agent.start(CommandLine.parse(List.of("--service-port", "" + service.getLocalPort(), "--listen", "0",
                "--bind", "127.0.0.1", "--interval-ms", "100", "--state-file", stateFile.toString(),
                "--max-clients", "10")), Path.of("/proc"));
        port = agent.address().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        for (Socket c : clients) {
            c.close();
        }
        service.close();
    }

    @Test
    void answersTheAgentCheckLineWhenAskedNothing() throws Exception {
        long t0 = System.nanoTime();
        String answer = AgentClient.ask(port, null);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(LINE.matcher(answer).matches(), "'" + answer + "'");
        assertTrue(millis < 1000, "answered after the read window, took " + millis + " ms");
        // HAProxy's agent-send string is not "json": still the agent-check line, at once (newline seen)
        assertTrue(LINE.matcher(AgentClient.ask(port, "hello haproxy\n")).matches());
    }

    @Test
    void answersTheJsonReportWhenTheFirstLineIsJson() throws Exception {
        // CPU utilisation needs two readings: absent from the very first sample, then present
        awaitJson("\"cpuPercent\":");
        String json = AgentClient.ask(port, "JSON\r\n");
        assertTrue(json.endsWith("}\n") && json.indexOf('\n') == json.length() - 1, json);
        for (String field : new String[] {"host", "servicePort", "clients", "cpuPercent", "memoryTotalBytes",
                "memoryAvailableBytes", "capacityPercent", "state", "sampledAtMillis", "agentVersion"}) {
            assertTrue(json.contains("\"" + field + "\":"), field + " in " + json);
        }
        assertTrue(json.contains("\"servicePort\":" + service.getLocalPort() + ","), json);
        assertTrue(json.contains("\"state\":\"up\""), json);
        // neither an access log nor a status URL: those figures are absent, not 0
        assertTrue(!json.contains("requestsPerSecond") && !json.contains("averageExecutionMillis"), json);
        // "json" sent without a newline, and the client then waits: answered when the window closes
        assertTrue(AgentClient.ask(port, "json").startsWith("{\"host\":"));
    }

    @Test
    void countsTheServiceClientsAndLowersTheCapacityByThem() throws Exception {
        for (int i = 0; i < 6; i++) {
            Socket c = new Socket(service.getInetAddress(), service.getLocalPort());
            clients.add(c);
            clients.add(service.accept());
        }
        String json = awaitJson("\"clients\":6,");
        Matcher m = Pattern.compile("\"capacityPercent\":(\\d+)").matcher(json);
        assertTrue(m.find(), json);
        // 6 of max 10 clients: at most 40% whatever the CPU does
        assertTrue(Integer.parseInt(m.group(1)) <= 40, json);
        Matcher line = LINE.matcher(AgentClient.ask(port, null));
        assertTrue(line.matches() && Integer.parseInt(line.group(1)) <= 40);
    }

    @Test
    void theStateFileOverridesTheComputedTokensOnTheNextAnswer() throws Exception {
        write("drain");
        String drained = AgentClient.ask(port, null);
        assertTrue(drained.matches("\\d{1,3}% drain\n"), drained);
        write("25%");
        assertEquals("25% ready up\n", AgentClient.ask(port, null));
        write("0% maint");
        assertEquals("0% maint\n", AgentClient.ask(port, null));
        assertTrue(AgentClient.ask(port, "json\n").contains("\"capacityPercent\":0,\"state\":\"maint\""));
        write("nonsense here");
        assertTrue(LINE.matcher(AgentClient.ask(port, null)).matches(), "a malformed file is ignored");
        Files.delete(stateFile);
        assertTrue(LINE.matcher(AgentClient.ask(port, null)).matches());
    }

    @Test
    void garbageAndSilentClientsNeitherBlockNorHoldTheAgent() throws Exception {
        // a flood without a newline: answered once the request buffer is full, then closed
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            byte[] garbage = new byte[100_000];
            java.util.Arrays.fill(garbage, (byte) 'x');
            try {
                s.getOutputStream().write(garbage);
            } catch (java.io.IOException resetOnceClosed) {
                // the agent closed while we were still writing: fine
            }
            String answer;
            try {
                answer = AgentClient.readAll(s.getInputStream());
            } catch (java.net.SocketException reset) {
                answer = "(reset)";
            }
            assertTrue(LINE.matcher(answer).matches() || answer.equals("(reset)"), answer);
        }
        // 300 clients that connect and never read or send: the agent answers and closes each itself
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(5000);
                silent.add(s);
            }
            // more than the 256 the agent holds at once: the rest wait in the backlog, briefly
            long t0 = System.nanoTime();
            assertTrue(LINE.matcher(AgentClient.ask(port, null)).matches(), "a new client still answered");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
            int answered = 0;
            for (Socket s : silent) {
                answered += LINE.matcher(AgentClient.readAll(s.getInputStream())).matches() ? 1 : 0;
            }
            assertEquals(300, answered);
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    @Test
    void closingStopsItsThreadsAndFreesThePortForAnotherStart() throws Exception {
        agent.close();
        assertTrue(agentThreads().isEmpty(), agentThreads().toString());
        // SO_REUSEADDR: bound again at once although connections to the old one are in TIME_WAIT
        agent = Agent.start(CommandLine.parse(List.of("--service-port", "" + service.getLocalPort(), "--listen",
                "" + port, "--bind", "127.0.0.1")), Path.of("/proc"));
        assertTrue(LINE.matcher(AgentClient.ask(port, null)).matches());
        assertEquals(2, agentThreads().size(), agentThreads().toString());
    }

    static List<String> agentThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("switchboard-agent") && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    private String awaitJson(String part) throws Exception {
        String json = "";
        for (long end = System.currentTimeMillis() + 5000; System.currentTimeMillis() < end; Thread.sleep(50)) {
            json = AgentClient.ask(port, "json\n");
            if (json.contains(part)) {
                return json;
            }
        }
        throw new AssertionError(part + " never in " + json);
    }

    private void write(String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "state", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
