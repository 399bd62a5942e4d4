package io.switchboard.systest;

import java.io.File;

/** Programs some system tests drive (wrk, nginx, chromium): a test that needs one fails clearly without it, never skips. */
final class ExternalTools {
    private ExternalTools() {
    }

    static void require(String... programs) {
        for (String p : programs) {
            if (find(p) == null) {
                throw new AssertionError(p + " is not installed; the system tests need it (Debian: apt-get install -y wrk nginx-light chromium haproxy; .ci/run installs them)");
            }
        }
    }

    static File find(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            File f = new File(dir, program);
            if (f.canExecute()) {
                return f;
            }
        }
        // nginx lives in sbin, often off a user's PATH; .ci/run puts promtool alone in /opt/promtool
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/opt/promtool"}) {
            File f = new File(dir, program);
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
