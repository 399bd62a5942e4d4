package io.switchboard.agent.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the host's figures from {@code /proc}. Where a file cannot be read (not Linux, a container
 * hiding it) the figure is null and so left out of the report, never guessed.
 */
final class HostProbe {
    private final Path proc;

    HostProbe(Path proc) {
        this.proc = proc;
    }

    /** ESTABLISHED connections on the local port over IPv4 and IPv6, or null if neither table is readable. */
    Integer clients(int servicePort) {
        String v4 = read("net/tcp");
        String v6 = read("net/tcp6");
        if (v4 == null && v6 == null) {
            return null;
        }
        return (v4 == null ? 0 : ProcNetTcp.countEstablished(v4, servicePort))
                + (v6 == null ? 0 : ProcNetTcp.countEstablished(v6, servicePort));
    }

    CpuTimes cpuTimes() {
        String text = read("stat");
        if (text == null) {
            return null;
        }
        try {
            return CpuTimes.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    Memory memory() {
        String text = read("meminfo");
        return text == null ? new Memory(null, null) : Memory.parse(text);
    }

    private String read(String name) {
        try {
            // Files under /proc report size 0: read them whole rather than by their size.
            return new String(Files.readAllBytes(proc.resolve(name)), StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
