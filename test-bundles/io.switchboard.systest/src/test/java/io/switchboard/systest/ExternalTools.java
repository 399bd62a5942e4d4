package io.switchboard.systest;

import java.io.File;

/** Programs some system tests drive (wrk, nginx): a test that needs one fails clearly without it. */
final class ExternalTools {
    private ExternalTools() {
    }

    static void require(String... programs) {
        for (String p : programs) {
            if (find(p) == null) {
                throw new AssertionError(p + " is not installed; the system tests need it (Debian: apt-get install -y wrk nginx-light)");
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
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) { // nginx lives here, often off a user's PATH
            File f = new File(dir, program);
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
