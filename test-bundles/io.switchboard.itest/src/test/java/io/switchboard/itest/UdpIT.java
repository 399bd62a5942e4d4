package io.switchboard.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** A UDP frontend configured through Config Admin: datagrams through the platform, flows owned by handler "udp". */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UdpIT extends PlatformTestSupport {

    @Inject
    private IntelligentSwitch switchboard;

    @Inject
    private ClusterDirectory clusters;

    @Inject
    private SwitchingCore core;

    @Inject
    private CommandProcessor commands;

    private DatagramSocket echo;
    private Thread echoThread;

    /** A UDP back-end that sends every datagram back to its sender, unchanged. */
    @Before
    public void startEcho() throws IOException {
        echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        echo.setReceiveBufferSize(1 << 20);
        echoThread = new Thread(() -> {
            byte[] buf = new byte[65536];
            while (!echo.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    // closed
                }
            }
        }, "udp-echo");
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @After
    public void stopEcho() throws InterruptedException {
        echo.close();
        echoThread.join(5000);
    }

    private static byte[] receive(DatagramSocket s, InetSocketAddress[] from) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        s.receive(p);
        from[0] = (InetSocketAddress) p.getSocketAddress();
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    private List<TrackedFlow> flowsOf(String frontend) {
        return frontends.flows().stream().filter(f -> f.frontend().equals(frontend)).collect(Collectors.toList());
    }

    @Test
    public void datagramsRoundTripByteExactThroughThePlatformAndTheFlowIsOwnedByTheUdpHandler() throws Exception {
        configure("io.switchboard.cluster", "udp-it", "endpoints", "127.0.0.1:" + echo.getLocalPort());
        configure("io.switchboard.frontend", "udp-it", "protocol", "udp", "address", "127.0.0.1", "port", 0, "cluster", "udp-it");
        int port = awaitListening("udp-it");
        await("cluster udp-it", () -> clusters.cluster("udp-it") != null && clusters.cluster("udp-it").ready());
        await("the udp handler", () -> core.table().handlers().containsKey("udp"));
        InetSocketAddress frontend = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            client.setReceiveBufferSize(1 << 20);
            long total = 0;
            for (int size : new int[] {1, 512, 1472, 9000, 60000}) {
                byte[] data = new byte[size];
                new Random(size).nextBytes(data);
                client.send(new DatagramPacket(data, data.length, frontend));
                InetSocketAddress[] from = new InetSocketAddress[1];
                assertArrayEquals(size + " bytes", data, receive(client, from));
                assertEquals("the reply comes from the frontend's address", frontend, from[0]);
                total += size;
            }

            List<TrackedFlow> flows = flowsOf("udp-it");
            assertEquals(flows.toString(), 1, flows.size());
            TrackedFlow flow = flows.get(0);
            assertEquals("udp", flow.protocol());
            assertEquals(client.getLocalPort(), flow.clientAddress().getPort());
            assertEquals("the default handler gave the flow to the udp handler", "udp", flow.owner());
            assertEquals("later datagrams went straight to the endpoint", 1, flow.messages());
            assertEquals(total, flow.bytesIn());
            long out = total;
            await("bytes out counted", () -> flow.bytesOut() == out);
            assertEquals(1, frontend("udp-it").requests());

            String clientAddress = "127.0.0.1:" + client.getLocalPort();
            String row = Arrays.stream(run("sb:flows").split("\n")).filter(l -> l.contains(clientAddress)).findFirst().orElse(null);
            assertNotNull(run("sb:flows"), row);
            List<String> cells = Arrays.asList(row.trim().split("\\s+"));
            assertEquals(row, List.of("udp", clientAddress, "udp-it", "udp"), cells.subList(1, 5));
            String frontends = run("sb:frontends");
            assertTrue(frontends, frontends.lines().anyMatch(l -> l.contains("udp-it") && l.contains("udp") && l.contains("listening")));
        }

        // Removing the frontend closes its flows.
        configAdmin.getFactoryConfiguration("io.switchboard.frontend", "udp-it", "?").delete();
        await("the frontend to go", () -> frontend("udp-it") == null);
        await("its flows to close", () -> flowsOf("udp-it").isEmpty());
        await("its endpoint to have nothing active", () -> clusters.cluster("udp-it").counters(
                clusters.cluster("udp-it").endpoints().get(0)).active() == 0);
    }

    private String run(String command) throws Exception {
        return shell(commands, command);
    }
}
