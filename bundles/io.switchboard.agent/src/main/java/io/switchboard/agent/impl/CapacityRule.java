package io.switchboard.agent.impl;

/**
 * The capacity percentage the agent reports (HAProxy scales the server's weight by it).
 *
 * <p>Rule: the smallest of {@code 100 - cpuPercent} and, with a client limit,
 * {@code 100 * (1 - clients / maxClients)}; 100 when neither figure is known; rounded, and held in
 * 1..100. The floor is 1, not 0, on purpose: a computed 0 would take every busy host out of rotation
 * at once when a whole cluster is loaded. Only the operator (state file) can say {@code 0%}.
 */
final class CapacityRule {
    private CapacityRule() {
    }

    /** @param maxClients the client limit, or 0 for none */
    static int capacity(Sample s, int maxClients) {
        double c = 100;
        if (s.cpuPercent() != null && Double.isFinite(s.cpuPercent())) {
            c = Math.min(c, 100 - s.cpuPercent());
        }
        if (maxClients > 0 && s.clients() != null) {
            c = Math.min(c, 100.0 * (1 - (double) s.clients() / maxClients));
        }
        long rounded = Math.round(c);
        return (int) Math.max(1, Math.min(100, rounded));
    }
}
