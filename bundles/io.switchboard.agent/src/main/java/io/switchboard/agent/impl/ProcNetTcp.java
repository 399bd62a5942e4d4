package io.switchboard.agent.impl;

/**
 * Counts the clients a service is serving from the text of {@code /proc/net/tcp} or
 * {@code /proc/net/tcp6}: connections in state 01 (ESTABLISHED) whose local port is the service's.
 * The local port, not the remote one, so the service's own outgoing connections are not counted.
 */
final class ProcNetTcp {
    private static final String ESTABLISHED = "01";

    private ProcNetTcp() {
    }

    /**
     * @param text the whole file; its header line and any line that does not parse are skipped
     * @param port the local port of the watched service
     */
    static int countEstablished(String text, int port) {
        int count = 0;
        for (String line : text.split("\n")) {
            // "  12: 0100007F:1F90 0100007F:C350 01 ..." (tcp6: 32 hex digits before the colon)
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":") || !ESTABLISHED.equals(f[3])) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                if (Integer.parseInt(f[1].substring(colon + 1), 16) == port) {
                    count++;
                }
            } catch (NumberFormatException notAnEntry) {
                // a line of another shape: not a connection
            }
        }
        return count;
    }
}
