package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * sb:conns over real connections: an HTTP keep-alive connection whose endpoint changes from one
 * request to the next, a TCP relay to its one endpoint, the filter, entries leaving as connections
 * close, and the table surviving updates of the transport and the shell.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConnectionTableIT extends PlatformTestSupport {
    @Inject
    private ClusterDirectory clusters;

    @Inject
    private CommandProcessor commands;

    private HttpBackend a;
    private HttpBackend b;
    private ServerSocket echo;
    private int httpPort;
    private int tcpPort;

    @Before
    public void start() throws Exception {
        a = new HttpBackend("a");
        b = new HttpBackend("b");
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::echo, "conns-it-echo");
        t.setDaemon(true);
        t.start();
        configure("io.switchboard.cluster", "conns-web", "endpoints", new String[] {"a=127.0.0.1:" + a.port(), "b=127.0.0.1:" + b.port()});
        configure("io.switchboard.frontend", "conns-web", "address", "127.0.0.1", "port", 0, "cluster", "conns-web");
        configure("io.switchboard.cluster", "conns-db", "endpoints", "pgsql=127.0.0.1:" + echo.getLocalPort());
        configure("io.switchboard.frontend", "conns-tcp", "protocol", "tcp", "address", "127.0.0.1", "port", 0, "cluster", "conns-db");
        httpPort = awaitListening("conns-web");
        tcpPort = awaitListening("conns-tcp");
        // The other test left these clusters configured with its own back-ends' ports: wait for this test's.
        await("clusters with this test's back-ends", () -> hasPort("conns-web", a.port()) && hasPort("conns-web", b.port())
                && hasPort("conns-db", echo.getLocalPort()));
    }

    @After
    public void stop() throws IOException {
        a.close();
        b.close();
        echo.close();
    }

    @Test
    public void listsEachConnectionWithItsEndpointFiltersAndForgetsClosedOnes() throws Exception {
        try (RawHttpClient web = new RawHttpClient(httpPort); Socket db = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            RawHttpClient.Response r1 = web.get("/1");
            String first = r1.header("X-Served-By");
            assertNotNull("the first request reached a back-end: " + r1.status + " " + r1.body, first);
            Row http = onlyRow("conns-web");
            assertEquals("http", http.protocol);
            assertEquals(endpointOf(first), http.endpoint);

            String second = web.get("/2").header("X-Served-By");
            assertFalse("round-robin moves the second request: " + first + ", " + second, first.equals(second));
            Row again = onlyRow("conns-web");
            assertEquals("the same keep-alive connection", http.id, again.id);
            assertEquals("its endpoint is the latest request's", endpointOf(second), again.endpoint);

            assertEquals("hello", relay(db, "hello"));
            Row tcp = onlyRow("conns-tcp");
            // a relay between two plain epoll sockets moves its bytes with splice(2), and says so
            assertTrue(tcp.protocol, tcp.protocol.equals("tcp>splice") || tcp.protocol.equals("tcp"));
            assertEquals("conns-db", tcp.cluster);
            assertEquals("pgsql=127.0.0.1:" + echo.getLocalPort(), tcp.endpoint);
            assertEquals("127.0.0.1:" + db.getLocalPort(), tcp.client);

            // the filter: by endpoint id, by cluster, by protocol, or nothing
            assertEquals(List.of(tcp.id), ids(conns("pgsql")));
            assertEquals(List.of(tcp.id), ids(conns("CONNS-DB")));
            assertEquals(List.of(http.id), ids(conns("http")));
            List<String> both = ids(conns("conns-"));
            assertTrue(both.toString(), both.containsAll(List.of(http.id, tcp.id)) && both.size() == 2);
            String none = conns("no-such-thing");
            assertTrue(none, none.contains("0 listed matching 'no-such-thing'"));
            assertTrue(none, none.contains("(table bound 1000000), 0 untracked since start"));
        }
        await("the closed connections to leave the table", () -> ids(connsQuietly("conns-")).isEmpty());
    }

    @Test
    public void theTableAndItsEntriesSurviveUpdatesOfTheTransportAndTheShell() throws Exception {
        try (RawHttpClient web = new RawHttpClient(httpPort); Socket db = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            String served = web.get("/before").header("X-Served-By");
            assertEquals("hello", relay(db, "hello"));
            Row http = onlyRow("conns-web");
            Row tcp = onlyRow("conns-tcp");

            updateAndRefresh("io.switchboard.transport");
            updateAndRefresh("io.switchboard.shell");

            await("sb:conns from the new shell over the new transport to list both", () -> {
                List<String> ids = ids(connsQuietly("conns-"));
                return ids.contains(http.id) && ids.contains(tcp.id);
            });
            assertEquals(endpointOf(served), onlyRow("conns-web").endpoint);
            assertEquals("pgsql=127.0.0.1:" + echo.getLocalPort(), onlyRow("conns-tcp").endpoint);

            // the connections accepted before the update go on, and still note their endpoint
            String next = web.get("/after").header("X-Served-By");
            assertEquals(endpointOf(next), onlyRow("conns-web").endpoint);
            assertEquals("again", relay(db, "again"));
        }
        await("connections of the previous transport version to leave the table when they close", () -> ids(connsQuietly("conns-")).isEmpty());
        try (RawHttpClient web = new RawHttpClient(httpPort)) {
            web.get("/new");
            assertEquals(1, ids(conns("conns-web")).size());
        }
    }

    // ---- helpers ----

    private boolean hasPort(String cluster, int port) {
        io.switchboard.api.runtime.ClusterSnapshot s = clusters.cluster(cluster);
        return s != null && s.endpoints().stream().anyMatch(e -> e.port() == port);
    }

    private String endpointOf(String servedBy) {
        return servedBy + "=127.0.0.1:" + (servedBy.equals("a") ? a.port() : b.port());
    }

    private String conns(String filter) throws Exception {
        return shell(commands, "sb:conns " + filter);
    }

    private String connsQuietly(String filter) {
        try {
            return conns(filter);
        } catch (Exception e) {
            return ""; // the command is away while the shell restarts
        }
    }

    /** One row of sb:conns: FLOW PROTO FRONTEND CLUSTER CLIENT ENDPOINT HANDLER AGE BYTES-IN BYTES-OUT. */
    private static final class Row {
        final String id;
        final String protocol;
        final String cluster;
        final String client;
        final String endpoint;

        Row(String[] cells) {
            id = cells[0];
            protocol = cells[1];
            cluster = cells[3];
            client = cells[4];
            endpoint = cells[5];
        }
    }

    private static List<String[]> rows(String out) {
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length == 10 && cells[0].matches("\\d+")) {
                rows.add(cells);
            }
        }
        return rows;
    }

    private static List<String> ids(String out) {
        List<String> ids = new ArrayList<>();
        for (String[] r : rows(out)) {
            ids.add(r[0]);
        }
        return ids;
    }

    /** The one row sb:conns lists for the frontend. */
    private Row onlyRow(String frontend) throws Exception {
        String out = conns(frontend);
        List<String[]> rows = rows(out);
        assertEquals(out, 1, rows.size());
        assertEquals(out, frontend, rows.get(0)[2]);
        return new Row(rows.get(0));
    }

    private static String relay(Socket s, String text) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[text.length()];
        int n = 0;
        while (n < buf.length) {
            int r = s.getInputStream().read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /** Echoes each connection until it ends. */
    private void echo() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // the relay went away
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Updates the bundle from its own file, as Felix's update does, refreshes it, and waits for its services to come back. */
    private void updateAndRefresh(String symbolicName) throws Exception {
        Bundle bundle = null;
        for (Bundle x : context.getBundles()) {
            if (symbolicName.equals(x.getSymbolicName())) {
                bundle = x;
            }
        }
        assertTrue(symbolicName + " installed", bundle != null);
        long before = frontendServiceId();
        try (InputStream in = new URL(bundle.getLocation()).openStream()) {
            bundle.update(in);
        }
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(List.of(bundle), e -> {
                    if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                        refreshed.countDown();
                    }
                });
        assertTrue("refresh of " + symbolicName, refreshed.await(30, TimeUnit.SECONDS));
        assertEquals(Bundle.ACTIVE, bundle.getState());
        if (symbolicName.equals("io.switchboard.transport")) {
            await("the new transport's FrontendService", () -> frontendServiceId() != before && frontendServiceId() != -1);
        }
    }

    private long frontendServiceId() {
        ServiceReference<FrontendService> ref = context.getServiceReference(FrontendService.class);
        return ref == null ? -1 : (Long) ref.getProperty(Constants.SERVICE_ID);
    }
}
