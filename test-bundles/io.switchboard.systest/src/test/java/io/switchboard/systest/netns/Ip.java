package io.switchboard.systest.netns;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** iproute2's {@code ip}, run as a process: every change the topology makes goes through it. */
public final class Ip {
    private Ip() {
    }

    /** What one command did. */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** The {@code ip} program, or null when iproute2 is not installed. */
    public static String program() {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            File f = new File(dir, "ip");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** Runs {@code ip ARGS}; fails with what it printed when it exits non-zero. */
    public static String run(String... args) {
        Result r = attempt(args);
        if (!r.ok()) {
            throw new IllegalStateException("ip " + String.join(" ", args) + " exited with " + r.exit() + ": " + r.output().trim());
        }
        return r.output();
    }

    /** Runs {@code ip ARGS} and reports how it went, without failing. */
    public static Result attempt(String... args) {
        List<String> cmd = new ArrayList<>();
        String ip = program();
        cmd.add(ip == null ? "ip" : ip);
        cmd.addAll(List.of(args));
        return exec(cmd, 30);
    }

    /** Runs a command to its end (at most {@code seconds}), standard error folded into the output. */
    public static Result exec(List<String> cmd, long seconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + seconds + " s: " + new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
