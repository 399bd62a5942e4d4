package io.switchboard.shell.impl;

import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.switching.TrackedFlow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@code sb:conns}: the connection table's flows that match a filter, then a summary of
 * the table. The filter is a case-insensitive substring of the frontend, cluster, client address,
 * endpoint (id or address), protocol or handler; an empty filter matches every flow.
 */
final class ConnectionListing {
    private ConnectionListing() {
    }

    static String render(List<TrackedFlow> flows, ConnectionTableStats table, String filter, long now) {
        String needle = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        List<TrackedFlow> listed = new ArrayList<>();
        for (TrackedFlow f : flows) {
            if (needle.isEmpty() || matches(f, needle)) {
                listed.add(f);
            }
        }
        TextTable t = new TextTable("FLOW", "PROTO", "FRONTEND", "CLUSTER", "CLIENT", "ENDPOINT", "HANDLER", "AGE", "BYTES-IN", "BYTES-OUT");
        for (TrackedFlow f : listed.subList(0, Math.min(listed.size(), FlowText.MAX_LISTED))) {
            t.row(f.id(), FlowText.protocol(f), f.frontend(), f.cluster(), FlowText.client(f), FlowText.endpoint(f.endpoint()), f.owner(),
                    FlowText.age(now, f), f.bytesIn(), f.bytesOut());
        }
        return t + FlowText.more(listed.size()) + summary(listed.size(), needle.isEmpty() ? "" : filter.trim(), table);
    }

    /** e.g. "2 listed matching 'web', 5 open (table bound 1000000), 0 untracked since start". */
    static String summary(int listed, String filter, ConnectionTableStats table) {
        StringBuilder sb = new StringBuilder().append(listed).append(" listed");
        if (!filter.isEmpty()) {
            sb.append(" matching '").append(filter).append('\'');
        }
        sb.append(", ").append(table.tracked()).append(" open (table bound ").append(table.bound()).append("), ")
                .append(table.untracked()).append(" untracked since start");
        if (table.untrackedOpen() > 0) {
            sb.append(" (").append(table.untrackedOpen()).append(" of them open, served but not listed: the table was full)");
        }
        return sb.toString();
    }

    static boolean matches(TrackedFlow f, String needle) {
        return contains(f.frontend(), needle) || contains(f.cluster(), needle) || contains(FlowText.client(f), needle)
                || contains(FlowText.endpoint(f.endpoint()), needle) || contains(FlowText.protocol(f), needle) || contains(f.owner(), needle);
    }

    private static boolean contains(String s, String needle) {
        return s != null && s.toLowerCase(Locale.ROOT).contains(needle);
    }
}
