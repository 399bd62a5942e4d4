package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.switchboard.testkit.RawHttpClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The echo protocol plugin (plugins-example/io.switchboard.example.protocol.echo) in the exported
 * runtime: dropped into plugins/, spoken by a frontend configured in conf/, then replaced by a v2
 * while a connection is open. The old connection drains as the plugin's README says; new ones get
 * the new code. A bad option of the plugin's is reported and the rest keeps serving.
 */
class EchoProtocolSystemIT {

    @Test
    void aProtocolPluginServesAFrontendAndIsReplacedUnderLiveTraffic() throws Exception {
        // A long grace period: the drained connection must be closed by the plugin, not by the deadline.
        try (RuntimeProcess rt = new RuntimeProcess(Map.of("io.switchboard.frontends.cfg", "gracePeriodSeconds = 60\n"))) {
            rt.awaitPort(rt.demoPort, 60_000);
            Path plugins = rt.workDir.resolve("plugins");
            Path conf = rt.workDir.resolve("conf");
            Path v1 = Path.of(System.getProperty("sb.plugin.echo"));

            install(v1, plugins.resolve("echo.jar"));
            int port = RuntimeProcess.freePort();
            write(conf.resolve("io.switchboard.frontend-echo.cfg"),
                    "protocol = echo\naddress = 127.0.0.1\nport = " + port + "\ncluster = demo\n");
            rt.awaitPort(port, 30_000);
            awaitAnswer(port, "v1 ", 30_000);

            try (LineClient a = new LineClient(port)) {
                assertEquals("v1 hello", a.ask("hello"));
                assertEquals("v1 again", a.ask("again"));

                // v2: the same jar with another label in its manifest, written over the v1 jar.
                Path v2 = rt.workDir.resolve("echo-v2.jar");
                withLabel(v1, v2, "v2");
                int mark = rt.output.size();
                install(v2, plugins.resolve("echo.jar"));
                // The transport bound the frontend to the new protocol service and drains A.
                awaitShell(rt, "sb:drains", l -> l.contains("frontend echo: protocol echo now from io.switchboard.example.protocol.echo"),
                        30_000);

                try (LineClient b = new LineClient(port)) {
                    assertEquals("v2 one", b.ask("one"));
                    assertEquals("v2 two", b.ask("two")); // B runs on the new binding: not drained

                    // A was idle when the drain came, so it stayed open. Its next line is answered
                    // (by the echo handler in force: v2's), then A closes.
                    assertEquals("v2 third", a.ask("third"));
                    assertNull(a.in.readLine(), "A closes after the answer to its first line since the drain");

                    rt.awaitOutput(mark, l -> l.contains("drained: frontend echo: protocol echo now from")
                            && l.contains("1 connections, 1 finished, 0 closed at the deadline"), 20_000);
                    assertEquals("v2 three", b.ask("three"));
                }
            }

            // A bad option of the plugin's: one clear line, the frontend does not start, the others serve on.
            int badPort = RuntimeProcess.freePort();
            write(conf.resolve("io.switchboard.frontend-badecho.cfg"),
                    "protocol = echo\naddress = 127.0.0.1\nport = " + badPort + "\ncluster = demo\nmaxLineBytes = abc\n");
            rt.awaitOutput("config rejected: conf/io.switchboard.frontend-badecho.cfg: key 'maxLineBytes': 'abc' is not a whole number;"
                    + " frontend badecho not started");
            awaitShell(rt, "sb:frontends", l -> l.startsWith("badecho ") && l.contains("FAILED: key 'maxLineBytes': 'abc' is not a whole number"),
                    20_000);
            try (LineClient c = new LineClient(port)) {
                assertEquals("v2 still here", c.ask("still here"));
            }
            try (RawHttpClient http = new RawHttpClient(rt.demoPort)) {
                assertEquals(200, http.get("/").status);
            }
        }
    }

    @Test
    void aConnectionThatSentNothingBeforeTheUpdateStillGetsItsAnswer() throws Exception {
        // After the update FileInstall refreshes the bundle: the old version's class loader no longer
        // loads classes of its own. Here the old version never served a line, so whatever a line
        // needs must have been loaded before (the plugin loads it when it binds a frontend).
        try (RuntimeProcess rt = new RuntimeProcess(Map.of("io.switchboard.frontends.cfg", "gracePeriodSeconds = 60\n"))) {
            rt.awaitPort(rt.demoPort, 60_000);
            Path plugins = rt.workDir.resolve("plugins");
            Path v1 = Path.of(System.getProperty("sb.plugin.echo"));
            install(v1, plugins.resolve("echo.jar"));
            int port = RuntimeProcess.freePort();
            write(rt.workDir.resolve("conf").resolve("io.switchboard.frontend-echo.cfg"),
                    "protocol = echo\naddress = 127.0.0.1\nport = " + port + "\ncluster = demo\n");
            rt.awaitPort(port, 30_000);
            try (LineClient quiet = new LineClient(port)) {
                awaitShell(rt, "sb:frontends", l -> l.startsWith("echo ") && l.split("\\s+")[6].equals("1"), 20_000);
                Path v2 = rt.workDir.resolve("echo-v2.jar");
                withLabel(v1, v2, "v2");
                install(v2, plugins.resolve("echo.jar"));
                awaitShell(rt, "sb:drains", l -> l.contains("frontend echo: protocol echo now from io.switchboard.example.protocol.echo"),
                        30_000);
                Thread.sleep(2_000); // FileInstall refreshes the bundle right after the update (within milliseconds)

                assertEquals("v2 first", quiet.ask("first"));
                assertNull(quiet.in.readLine(), "closes after the answer to its first line since the drain");
            }
        }
    }

    /** A client of the line protocol. */
    static final class LineClient implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        LineClient(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        String ask(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Asks on new connections until an answer starts with the prefix (the plugin's handler is in the switch table). */
    private static void awaitAnswer(int port, String prefix, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        String last = null;
        while (System.nanoTime() < deadline) {
            try (LineClient c = new LineClient(port)) {
                last = c.ask("probe");
                if (last != null && last.startsWith(prefix)) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer starting with '" + prefix + "' within " + millis + " ms; last: " + last);
    }

    /** Types the command until a line of its output matches. */
    private static void awaitShell(RuntimeProcess rt, String command, java.util.function.Predicate<String> matches, long millis)
            throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            int mark = rt.output.size();
            rt.type(command);
            try {
                rt.awaitOutput(mark, matches, 2_000);
                return;
            } catch (AssertionError notYet) {
                // FileInstall polls once a second
            }
        }
        throw new AssertionError(command + ": no matching line within " + millis + " ms; output: " + rt.output);
    }

    /** Copies a jar aside and renames it into place, so FileInstall never sees half a jar. */
    private static void install(Path jar, Path target) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The bundle with its X-Echo-Label manifest header set to the label; every other entry as it was. */
    private static void withLabel(Path from, Path to, String label) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(from))) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("X-Echo-Label", label);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(to), m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

}
