package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitStatus;
import static io.switchboard.systest.SystemTests.get;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exported runtime on {@code transport = io_uring}: HTTP keep-alive under wrk over nginx, a
 * TCP stream relayed and half-closed, checked byte for byte, a UDP flow, {@code sb:status} naming
 * io_uring, and the transport bundle updated and refreshed under that load (the next version adopts
 * the io_uring loops and knows them for what they are). Nothing may fail. Also: where io_uring
 * cannot load, the runtime says why and serves on what it fell back to.
 */
class IoUringSystemIT {
    private static final String TRANSPORT = "io.switchboard.transport";
    private static final int CONNECTIONS = 64;
    private static final long STREAM_BYTES = 32L << 20;

    @Test
    void httpTcpAndUdpOnIoUringWithTheTransportUpdatedUnderLoad() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int web = RuntimeProcess.freePort();
        int stream = RuntimeProcess.freePort();
        int dgram = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(2);
             EchoBackends.Tcp tcpEcho = new EchoBackends.Tcp();
             EchoBackends.Udp udpEcho = new EchoBackends.Udp()) {
            List<Integer> be = nginx.ports();
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.transport.cfg", "transport = io_uring\neventLoops = 2\n");
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + be.get(0) + ", 127.0.0.1:" + be.get(1) + "\n");
            conf.put("io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = web\n");
            conf.put("io.switchboard.cluster-stream.cfg", "endpoints = 127.0.0.1:" + tcpEcho.port() + "\n");
            conf.put("io.switchboard.frontend-stream.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + stream + "\ncluster = stream\n");
            conf.put("io.switchboard.cluster-dgram.cfg", "endpoints = 127.0.0.1:" + udpEcho.port() + "\n");
            conf.put("io.switchboard.frontend-dgram.cfg", "protocol = udp\naddress = 127.0.0.1\nport = " + dgram + "\ncluster = dgram\n");

            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(web, 60_000);
                awaitStatus(web, 200, 20_000);
                rt.awaitPort(stream, 20_000);
                rt.awaitOutput("transport io_uring, 2 event loops");
                assertTrue(String.join("\n", rt.command("sb:status", 20_000)).contains("transport io_uring (2 event loops)"),
                        "sb:status names the transport");
                // The transport may have started on its defaults before the files were read, and again on io_uring.
                List<String> web1 = rt.output.stream().filter(l -> l.contains("frontend web listening on")).toList();
                assertTrue(web1.get(web1.size() - 1).contains("(http, io_uring, 2 accepting loops)"), web1.toString());

                try (ByteStreamCheck bytes = new ByteStreamCheck(stream, STREAM_BYTES, 1 << 20);
                     DatagramFlowCheck datagrams = new DatagramFlowCheck(dgram, 20)) {
                    String url = "http://127.0.0.1:" + web + "/";
                    WrkRun.Summary steady = WrkRun.start(url, CONNECTIONS, 5).await(40);
                    assertEquals(0, steady.non2xx() + steady.socketErrors(), steady.text());
                    assertTrue(steady.requests() > 1_000, steady.text());

                    WrkRun load = WrkRun.start(url, CONNECTIONS, 600);
                    Thread.sleep(1_000); // wrk's connections up
                    // The transport updated under load, as sb:update does it and as Felix's update + refresh do.
                    for (int i = 0; i < 4; i++) {
                        if (i % 2 == 0) {
                            List<String> answer = rt.command("sb:update " + TRANSPORT, 120_000);
                            assertTrue(answer.stream().anyMatch(l -> l.startsWith("updated " + TRANSPORT)), answer.toString());
                        } else {
                            rt.updateAndRefresh(TRANSPORT);
                        }
                        Thread.sleep(1_000);
                    }
                    WrkRun.Summary during = load.stop();
                    String streamProblem = bytes.finish(120);
                    datagrams.close();
                    System.out.println("[systest] io_uring, transport updated 4 times under load: " + during.requests() + " requests, "
                            + during.non2xx() + " non-2xx, " + during.socketErrors() + " socket errors; TCP " + bytes.sent()
                            + " bytes each way; UDP " + datagrams);

                    // sb:update restarts the bundle once; Felix's update and then refresh restart it twice
                    List<String> takenOver = rt.output.stream().filter(l -> l.contains("transport taken over from the previous version")).toList();
                    assertEquals(6, takenOver.size(), takenOver.toString());
                    assertTrue(takenOver.stream().allMatch(l -> l.contains("previous version: io_uring, 2 event loops")),
                            "every new version adopted the io_uring loops: " + takenOver);
                    assertTrue(rt.output.stream().noneMatch(l -> l.contains("is configured but the adopted loops are")), "no kind mix-up");
                    assertEquals(0, during.non2xx(), "non-2xx responses during the updates:\n" + during.text());
                    assertEquals(0, during.socketErrors(), "socket errors during the updates:\n" + during.text());
                    assertTrue(during.requests() > 1_000, during.text());
                    assertNull(streamProblem, "the TCP stream, half-closed at its end");
                    assertTrue(bytes.sent() >= STREAM_BYTES, "sent " + bytes.sent());
                    assertEquals(0, datagrams.lost.get() + datagrams.differed.get(), "the UDP flow: " + datagrams);
                    assertTrue(datagrams.exact.get() > 50, "the UDP flow: " + datagrams);
                    assertTrue(String.join("\n", rt.command("sb:status", 20_000)).contains("transport io_uring (2 event loops)"),
                            "still io_uring after the updates");
                    assertTrue(rt.output.stream().noneMatch(l -> l.contains("LEAK")), "Netty reported a leak");
                }
            }
        }
    }

    /** Native transports switched off (as where io_uring cannot load): one warning with each reason, and NIO serves. */
    @Test
    void whereIoUringCannotLoadTheRuntimeSaysWhyAndServes() throws Exception {
        int web = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1)) {
            Map<String, String> conf = Map.of(
                    "io.switchboard.transport.cfg", "transport = io_uring\neventLoops = 1\n",
                    "io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n",
                    "io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = web\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf, "-Dio.netty.transport.noNative=true")) {
                rt.awaitPort(web, 60_000);
                awaitStatus(web, 200, 20_000);
                // The defaults (auto) and the file (io_uring) come to the same: NIO, for the same two reasons.
                String warning = rt.awaitOutput("transport nio (fallback), ");
                assertTrue(warning.contains("io_uring unavailable: ") && warning.contains("noNative") && warning.contains("; epoll unavailable: "), warning);
                assertEquals(200, get(web));
                String status = "";
                for (long end = System.currentTimeMillis() + 20_000; !status.contains("transport nio (1 event loops)") && System.currentTimeMillis() < end; ) {
                    status = String.join("\n", rt.command("sb:status", 20_000));
                }
                assertTrue(status.contains("transport nio (1 event loops)"), status);
            }
        }
    }
}
