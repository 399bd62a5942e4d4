package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testkit.RawHttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** What the system tests do to a runtime from outside: write its files, ask its frontends. */
final class SystemTests {
    private SystemTests() {
    }

    /** Writes the file aside and moves it in, so the watcher never sees half of it. */
    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The status of GET / on a new connection. */
    static int get(int port) throws IOException {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get("/").status;
        }
    }

    /** Sends GET / until it gets the status, or fails after the time. */
    static void awaitStatus(int port, int status, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = get(port);
            if (last == status) {
                return;
            }
            Thread.sleep(100);
        }
        assertEquals(status, last, "GET / on port " + port);
    }

    /** Sends GET / until the response's Via header is the one given (null: none), for up to 20 s. */
    static void awaitVia(int port, String via, String what) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String last = null;
        while (System.nanoTime() < deadline) {
            try (RawHttpClient c = new RawHttpClient(port)) {
                last = c.get("/").header("via");
            }
            if (Objects.equals(via, last)) {
                return;
            }
            Thread.sleep(100);
        }
        assertEquals(via, last, what);
    }

    /** A bundle with nothing in it but an import no bundle exports: it installs, and never resolves. */
    static void writeUnresolvableBundle(Path jar, String symbolicName, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version);
        a.putValue("Import-Package", "com.example.nowhere");
        Path tmp = jar.resolveSibling(jar.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
    }
}
