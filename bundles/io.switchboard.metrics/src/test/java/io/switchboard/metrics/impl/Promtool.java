package io.switchboard.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own parser and linter, {@code promtool check metrics}: Debian's prometheus package has
 * it (.ci/run installs it as /opt/promtool/promtool; -Dpromtool=PATH points elsewhere). Where it is
 * not installed the checks that need it are skipped, and say so.
 */
final class Promtool {
    private Promtool() {
    }

    static String path() {
        String p = System.getProperty("promtool");
        if (p != null && new File(p).canExecute()) {
            return p;
        }
        if (new File("/opt/promtool/promtool").canExecute()) {
            return "/opt/promtool/promtool";
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "promtool");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** Parses and lints the exposition: fails the test with promtool's own words when it finds anything. */
    static void check(String exposition) throws IOException, InterruptedException {
        String promtool = path();
        assumeTrue(promtool != null, "promtool is not installed (apt-get download prometheus; see .ci/run): exposition not parsed");
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        try (InputStream out = p.getInputStream()) {
            out.transferTo(said);
        }
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals("", said.toString(StandardCharsets.UTF_8), "promtool check metrics found problems");
        assertEquals(0, p.exitValue(), "promtool check metrics exit status");
    }
}
