package io.switchboard.systest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of wrk (the load generator users measure us with), started as a process and read back
 * from its summary. A run can be given a long duration and ended early with SIGINT: wrk then stops
 * and prints its summary as at the end of its time.
 */
final class WrkRun {
    private final Process process;
    private final Path out;

    private WrkRun(Process process, Path out) {
        this.process = process;
        this.out = out;
    }

    /** Starts {@code wrk -t1 -cN -dSs --latency url}; fails if wrk is not installed. */
    static WrkRun start(String url, int connections, int seconds) throws IOException {
        return start(java.util.List.of(), url, connections, seconds);
    }

    /** The same run started with a launcher before it, e.g. {@code ip netns exec NS} (which execs wrk: SIGINT reaches it). */
    static WrkRun start(java.util.List<String> launcher, String url, int connections, int seconds) throws IOException {
        ExternalTools.require("wrk");
        Path out = Files.createTempFile("wrk", ".txt");
        java.util.List<String> cmd = new java.util.ArrayList<>(launcher);
        cmd.addAll(java.util.List.of(ExternalTools.find("wrk").getPath(), "-t1",
                "-c" + connections, "-d" + seconds + "s", "--latency"));
        String script = System.getProperty("sb.wrk.script");
        if (script != null && !script.isBlank()) { // -Dsb.wrk.script=FILE.lua: a wrk script, e.g. one that prints failed responses
            cmd.add("-s");
            cmd.add(script);
        }
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new WrkRun(p, out);
    }

    /** Ends the run now (SIGINT) and reads its summary. */
    Summary stop() throws Exception {
        if (process.isAlive()) {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
        }
        return await(30);
    }

    /** Waits for the run to end by itself (plus a margin) and reads its summary. */
    Summary await(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("wrk did not end: " + Files.readString(out));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        return Summary.parse(text);
    }

    /** What wrk printed: requests, failures of each kind, latency percentiles in milliseconds. */
    record Summary(String text, long requests, double seconds, long non2xx, long connectErrors, long readErrors,
                   long writeErrors, long timeouts, double p50Millis, double p99Millis, double maxMillis) {

        long socketErrors() {
            return connectErrors + readErrors + writeErrors + timeouts;
        }

        double requestsPerSecond() {
            return requests / seconds;
        }

        static Summary parse(String text) {
            Matcher done = Pattern.compile("(\\d+) requests in ([\\d.]+)(ms|s|m)").matcher(text);
            if (!done.find()) {
                throw new AssertionError("wrk printed no summary: " + text);
            }
            double secs = Double.parseDouble(done.group(2)) * switch (done.group(3)) {
                case "ms" -> 0.001;
                case "m" -> 60;
                default -> 1;
            };
            long connect = 0;
            long read = 0;
            long write = 0;
            long timeout = 0;
            Matcher errors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(text);
            if (errors.find()) {
                connect = Long.parseLong(errors.group(1));
                read = Long.parseLong(errors.group(2));
                write = Long.parseLong(errors.group(3));
                timeout = Long.parseLong(errors.group(4));
            }
            Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(text);
            return new Summary(text, Long.parseLong(done.group(1)), secs, non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
                    connect, read, write, timeout, percentile(text, "50%"), percentile(text, "99%"), max(text));
        }

        private static double percentile(String text, String which) {
            Matcher m = Pattern.compile("\\s" + which + "\\s+([\\d.]+)(us|ms|s)").matcher(text);
            return m.find() ? millis(m.group(1), m.group(2)) : Double.NaN;
        }

        private static double max(String text) {
            // Latency  avg  stdev  max  +/- stdev
            Matcher m = Pattern.compile("Latency\\s+[\\d.]+\\w+\\s+[\\d.]+\\w+\\s+([\\d.]+)(us|ms|s)").matcher(text);
            return m.find() ? millis(m.group(1), m.group(2)) : Double.NaN;
        }

        private static double millis(String value, String unit) {
            double v = Double.parseDouble(value);
            return switch (unit) {
                case "us" -> v / 1000;
                case "s" -> v * 1000;
                default -> v;
            };
        }
    }
}
