package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The built jar, run as an operator would: {@code java -jar} with nothing else on the class path.
 * Runs in the "package" phase, after bnd wrote the jar (see the pom).
 */
class PackagedJarTest {

    @Test
    void runsAloneAndAnswersALine() throws Exception {
        Process p = new ProcessBuilder(java(), "-jar", jar().toString(), "--service-port", "8080", "--listen", "0",
                "--bind", "127.0.0.1").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String banner = out.readLine();
            Matcher m = Pattern.compile("io\\.switchboard\\.agent \\S+ listening on 127\\.0\\.0\\.1:(\\d+),.*").matcher(
                    String.valueOf(banner));
            assertTrue(m.matches(), "banner: " + banner);
            int port = Integer.parseInt(m.group(1));
            assertTrue(AgentOverSocketTest.LINE.matcher(AgentClient.ask(port, null)).matches());
            assertTrue(AgentClient.ask(port, "json\n").contains("\"servicePort\":8080"));
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stops on SIGTERM");
        }
    }

    @Test
    void badOptionsExitWithCodeTwoAndTheUsage() throws Exception {
        Process p = new ProcessBuilder(java(), "-jar", jar().toString(), "--service-port", "x")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), text);
        List<String> lines = text.lines().toList();
        assertEquals("io.switchboard.agent: --service-port: 'x' is not a whole number in 1..65535", lines.get(0));
        assertTrue(lines.get(1).startsWith("usage: "), text);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** target/io.switchboard.agent-*.jar (the build passes its exact name as agent.jar). */
    static Path jar() throws Exception {
        String given = System.getProperty("agent.jar");
        if (given != null && new File(given).isFile()) {
            return Path.of(given);
        }
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("io\\.switchboard\\.agent-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no agent jar under target/: run mvn package"));
        }
    }
}
