package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitStatus;
import static io.switchboard.systest.SystemTests.write;
import static io.switchboard.systest.SystemTests.writeUnresolvableBundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Updates that go wrong, under traffic: a version that does not resolve, one whose components fail
 * to activate, and a drain that reaches its deadline with a request still open. The version that
 * served keeps serving, every step is reported, and no request outside the one cut short fails.
 */
class UpdateBadInputSystemIT {
    private static final String HTTP = "io.switchboard.handler.http";

    @Test
    void anUpdateThatCannotResolveOrActivateLeavesTheOldVersionServing() throws Exception {
        try (HttpBackend backend = new HttpBackend("be");
             RuntimeProcess rt = new RuntimeProcess(conf(backend, null))) {
            int port = webPort(rt);
            Path unresolvable = rt.workDir.resolve("unresolvable.jar");
            writeUnresolvableBundle(unresolvable, HTTP, "9.9.9");
            Path noActivation = rt.workDir.resolve("no-activation.jar");
            copyWithout(builtIn(HTTP), noActivation, "io/switchboard/handler/http/impl/GatewayErrors.class");

            try (Traffic traffic = new Traffic(port)) {
                // sb:update checks first: nothing changes
                List<String> answer = rt.command("sb:update " + HTTP + " " + unresolvable, 60_000);
                assertTrue(answer.stream().anyMatch(l -> l.contains("would not resolve: no bundle exports com.example.nowhere")
                        && l.contains("nothing changed")), answer.toString());

                // Felix's own update does not check: the guard puts the old version back
                long id = rt.bundleId(HTTP);
                int mark = rt.output.size();
                rt.command("update " + id + " " + unresolvable.toUri(), 60_000);
                rt.awaitOutput(mark, l -> l.contains("update of " + HTTP + " failed") && l.contains("is back and serving"), 20_000);
                rt.awaitActive(HTTP);

                // a version that resolves but whose component cannot activate: rolled back, and said why
                answer = rt.command("sb:update " + HTTP + " " + noActivation, 60_000);
                String failed = String.join("\n", answer);
                assertTrue(failed.contains("update of " + HTTP) && failed.contains("failed: component")
                        && failed.contains("HttpProtocol") && failed.contains("the previous version is back and serving"), failed);
                rt.awaitActive(HTTP);

                // and a good update still works afterwards
                answer = rt.command("sb:update " + HTTP, 60_000);
                assertTrue(answer.stream().anyMatch(l -> l.startsWith("updated " + HTTP)), answer.toString());

                traffic.assertNoFailure();
            }
        }
    }

    @Test
    void aDrainDeadlineReachedWithARequestOpenClosesItAndCountsIt() throws Exception {
        try (HttpBackend backend = new HttpBackend("be");
             RuntimeProcess rt = new RuntimeProcess(conf(backend, "gracePeriodSeconds = 1\n"))) {
            int port = webPort(rt);
            try (RawHttpClient slow = new RawHttpClient(port)) {
                slow.send(RawHttpClient.getRequest("/slow")); // answered after 1.5 s: past the 1 s deadline
                Thread.sleep(200);
                int mark = rt.output.size();
                String answer = String.join("\n", rt.command("sb:update " + HTTP, 60_000));
                assertTrue(answer.contains("1 closed at the deadline"), answer);
                rt.awaitOutput(mark, l -> l.contains("WARN") && l.contains("drained: frontend web")
                        && l.contains("1 closed at the deadline"), 10_000);
                assertTrue(slow.closedByServer(), "the connection open at the deadline was closed");
            }
            try (RawHttpClient after = new RawHttpClient(port)) {
                assertEquals(200, after.get("/").status, "new connections are served by the new version");
            }
        }
    }

    private static Map<String, String> conf(HttpBackend backend, String frontends) {
        Map<String, String> conf = new java.util.HashMap<>();
        conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + backend.port() + "\n");
        if (frontends != null) {
            conf.put("io.switchboard.frontends.cfg", frontends);
        }
        return conf;
    }

    /** Starts the web frontend (its port is known only now) and waits until it answers. */
    private static int webPort(RuntimeProcess rt) throws Exception {
        int port = RuntimeProcess.freePort();
        write(rt.workDir.resolve("conf").resolve("io.switchboard.frontend-web.cfg"),
                "address = 127.0.0.1\nport = " + port + "\ncluster = web\n");
        rt.awaitPort(port, 60_000);
        awaitStatus(port, 200, 20_000);
        return port;
    }

    /** The built-in bundle as the runtime jar carries it. */
    private static byte[] builtIn(String name) throws IOException {
        try (JarFile runtime = new JarFile(System.getProperty("sb.runtime.jar"))) {
            JarEntry e = runtime.stream().filter(x -> x.getName().startsWith("jar/" + name + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " not in the runtime jar"));
            try (InputStream in = runtime.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }

    private static void copyWithout(byte[] jar, Path target, String left) throws IOException {
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(jar));
             OutputStream file = Files.newOutputStream(target);
             JarOutputStream out = new JarOutputStream(file, in.getManifest())) {
            JarEntry e;
            while ((e = in.getNextJarEntry()) != null) {
                if (!e.getName().equals(left)) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    /** Requests one after another on keep-alive connections, each answer checked, until closed. */
    private static final class Traffic implements AutoCloseable {
        private final int port;
        private final Thread thread;
        private volatile boolean running = true;
        private final AtomicLong ok = new AtomicLong();
        private final AtomicLong slowest = new AtomicLong();
        private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

        Traffic(int port) {
            this.port = port;
            this.thread = new Thread(this::run, "traffic");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void run() {
            while (running) {
                try (RawHttpClient c = new RawHttpClient(port)) {
                    while (running) {
                        long start = System.nanoTime();
                        RawHttpClient.Response r = c.get("/");
                        slowest.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                        if (r.status != 200) {
                            failures.add("status " + r.status + ": " + r.body);
                        } else {
                            ok.incrementAndGet();
                        }
                        if ("close".equalsIgnoreCase(r.header("connection"))) {
                            break; // a drained connection: the next request opens a new one
                        }
                        Thread.sleep(2);
                    }
                } catch (IOException e) {
                    if (running) {
                        failures.add(e.toString());
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void assertNoFailure() {
            assertEquals(List.of(), failures, "failed requests among " + ok.get());
            assertTrue(ok.get() > 100, "requests served: " + ok.get() + ", the slowest in " + slowest.get() + " ms");
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
