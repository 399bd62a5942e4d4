package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.View;

/** The shell commands of the dispatcher cluster (scope sb): they only read, or ask the group. */
public final class DispatcherCommands {
    private final DispatcherComponent cluster;

    DispatcherCommands(DispatcherComponent cluster) {
        this.cluster = cluster;
    }

    /** sb:peers — the view, each peer's state, last update id and lag; the sync counters. */
    public String peers() {
        DispatcherSettings s = cluster.settings();
        StringBuilder sb = new StringBuilder();
        sb.append(s.describe()).append('\n');
        if (!s.enabled) {
            return sb.toString();
        }
        String problem = cluster.problem();
        if (problem != null) {
            sb.append("NOT IN THE GROUP: ").append(problem).append('\n');
        }
        GroupMember m = cluster.member();
        View v = m == null ? null : m.view();
        ClusteredTable t = cluster.table();
        sb.append("state: ").append(t != null ? "ready (synced)" : "joining").append(", view: ").append(v == null ? "-" : v.toString()).append('\n');
        sb.append(String.format("%-24s %-9s %-42s %12s %10s %10s%n", "PEER", "ROLE", "STATE", "LAST-UPDATE", "LAG-MS", "UPDATES"));
        if (v != null) {
            Address coord = v.getCoord();
            for (Address a : v.getMembers()) {
                String name = a.toString();
                String role = a.equals(coord) ? "coord" : "member";
                if (name.equals(s.node)) {
                    sb.append(String.format("%-24s %-9s %-42s %12s %10s %10s%n", name + " (this)", role, t != null ? "ready" : "joining",
                            "-", "-", "-"));
                    continue;
                }
                Peer p = m.peers().get(name);
                sb.append(String.format("%-24s %-9s %-42s %12s %10s %10s%n", name, role, p == null ? "synced" : p.state(),
                        p == null ? "-" : Long.toString(p.lastBatchId),
                        p == null || p.lastLagMicros < 0 ? "-" : String.format("%.3f", p.lastLagMicros / 1000.0),
                        p == null ? "0" : Long.toString(p.updates)));
            }
        }
        SyncStats st = cluster.stats();
        sb.append("entries ").append(cluster.entries().size())
                .append(", updates out ").append(st.updatesOut.sum()).append(" in ").append(st.updatesIn.sum())
                .append(", queued ").append(t == null ? 0 : t.queued())
                .append(", queue full ").append(st.queueFull.sum())
                .append(", malformed ").append(st.malformed.sum())
                .append(", dropped from untrusted ").append(st.untrustedDropped.sum())
                .append(", conflicts ").append(st.conflicts.sum())
                .append(", table full ").append(st.tableFull.sum())
                .append(", removed ").append(st.removed.sum()).append('\n');
        sb.append("client locks ").append(cluster.locks().size()).append(" held, taken here ").append(st.lockRequests.sum())
                .append(", waits ").append(st.lockWaits.sum()).append(", wait timeouts ").append(st.lockTimeouts.sum())
                .append(", lost ").append(st.locksLost.sum()).append('\n');
        long p50 = st.delayPercentile(50);
        long p99 = st.delayPercentile(99);
        sb.append("sync delay (a peer's new entry, created there to placed here; latest ").append(Math.min(st.delaySamples(), SyncStats.SAMPLES)).append(" entries): p50 ")
                .append(p50 < 0 ? "-" : String.format("%.3f ms", p50 / 1000.0)).append(", p99 ")
                .append(p99 < 0 ? "-" : String.format("%.3f ms", p99 / 1000.0)).append('\n');
        return sb.toString();
    }

    /** sb:dispatch — every entry (at most 100 shown). */
    public String dispatch() {
        return dispatch("");
    }

    /** sb:dispatch <client> — the entries whose client contains the text. */
    public String dispatch(String client) {
        List<DispatchEntry> all = new ArrayList<>(cluster.entries().values());
        all.removeIf(e -> !client.isEmpty() && !e.client().contains(client));
        all.sort(Comparator.comparing(DispatchEntry::cluster).thenComparing(DispatchEntry::client));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-16s %-40s %-20s %-24s %s%n", "CLUSTER", "CLIENT", "ENDPOINT", "OWNER", "CREATED"));
        int shown = 0;
        for (DispatchEntry e : all) {
            if (shown++ == 100) {
                break;
            }
            sb.append(String.format("%-16s %-40s %-20s %-24s %s%n", e.cluster(), e.client(), e.endpoint(), e.owner(),
                    Instant.ofEpochMilli(HybridClock.millis(e.created())) + "+" + (e.created() & 0xffff)));
        }
        sb.append(all.size()).append(" entries").append(client.isEmpty() ? "" : " matching '" + client + "'")
                .append(all.size() > 100 ? " (100 shown)" : "").append(", ").append(cluster.entries().size()).append(" in the table\n");
        List<io.switchboard.api.dispatch.DispatchLock> locked = new ArrayList<>(cluster.locks().values());
        locked.removeIf(l -> !client.isEmpty() && !l.client().contains(client));
        if (!locked.isEmpty()) {
            // a new client seen by a dispatcher that does not own its key: it waits for the owner's decision
            sb.append(String.format("%-16s %-40s %-20s %-24s %s%n", "CLUSTER", "LOCKED CLIENT", "LOCKED BY", "OWNER (DECIDES)", "SINCE"));
            for (io.switchboard.api.dispatch.DispatchLock l : locked) {
                sb.append(String.format("%-16s %-40s %-20s %-24s %s%n", l.cluster(), l.client(), l.holder(), l.owner(),
                        Instant.ofEpochMilli(HybridClock.millis(l.created())) + "+" + (l.created() & 0xffff)));
            }
            sb.append(locked.size()).append(" locks\n");
        }
        return sb.toString();
    }

    /** sb:dispatch end <cluster> <client> — ends the client's session here and at every peer (sessionEnd = explicit). */
    public String dispatch(String verb, String clusterName, String client) {
        if (!verb.equals("end")) {
            return "usage: sb:dispatch [client] | sb:dispatch end <cluster> <client>";
        }
        ClusteredTable t = cluster.table();
        if (t == null) {
            return "this dispatcher is not in a group";
        }
        return t.end(clusterName, client) ? "ended " + clusterName + "/" + client + " here and at the peers"
                : "no entry for " + clusterName + "/" + client;
    }

    /** sb:resync <peer> — asks the peer for its whole table; its updates are trusted again once it arrives. */
    public String resync(String peer) throws Exception {
        GroupMember m = cluster.member();
        if (m == null || !m.connected()) {
            return "this dispatcher is not in a group";
        }
        return m.requestResync(peer) ? "asked " + peer + " for its whole table" : "no peer named " + peer + " in the view " + m.view();
    }
}
