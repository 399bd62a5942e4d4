package io.switchboard.webconsole.impl;

import static io.switchboard.webconsole.impl.Html.escape;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The Switchboard page's content (the console draws the frame around it): transport, frontends,
 * clusters with their endpoints' health and counters, recent drains. What {@code sb:status},
 * {@code sb:health} and {@code sb:drains} show, as HTML. Every value is escaped. A service that is
 * not there (its bundle is being updated) is said so in its section; the rest still renders.
 */
final class SwitchboardPage {
    /** Drains shown, newest first. */
    static final int DRAINS_SHOWN = 10;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PlatformServices services;
    private final String actionToken;
    private final String notice;
    private final StringBuilder out = new StringBuilder(4096);

    /**
     * @param actionToken the token the drain/enable forms carry (null: no buttons)
     * @param notice the outcome of the latest action, shown once at the top (null: none)
     */
    SwitchboardPage(PlatformServices services, String actionToken, String notice) {
        this.services = services;
        this.actionToken = actionToken;
        this.notice = notice;
    }

    String html() {
        out.setLength(0);
        if (notice != null && !notice.isEmpty()) {
            out.append("<p class=\"statline ui-state-highlight\">").append(escape(notice)).append("</p>\n");
        }
        transport(services.transport());
        frontends(services.frontends());
        clusters(services.clusters());
        drains(services.frontends());
        return out.toString();
    }

    private void transport(TransportInfo t) {
        out.append("<h2>Transport</h2>\n");
        if (t == null) {
            unavailable("transport", "io.switchboard.transport");
            return;
        }
        out.append("<p class=\"statline\">").append(escape(t.name())).append(", ").append(t.eventLoops())
                .append(" event loops");
        if (t.fallbackReason() != null) {
            out.append(" (configured transport not in use: ").append(escape(t.fallbackReason())).append(')');
        }
        out.append("</p>\n");
    }

    private void frontends(FrontendService f) {
        out.append("<h2>Frontends</h2>\n");
        if (f == null) {
            unavailable("frontends", "io.switchboard.transport");
            return;
        }
        table("Frontend", "Protocol", "Address", "Cluster", "State", "Acceptors", "Connections", "Total", "Requests",
                "Refused");
        for (FrontendStatus s : f.frontends()) {
            String address = s.spec().bindAddress() + ":" + (s.listening() ? s.boundPort() : s.spec().port());
            String state = s.listening() ? "listening" + (s.error() == null ? "" : " (" + s.error() + ")")
                    : "FAILED: " + s.error();
            row(s.spec().name(), s.spec().protocol(), address, s.spec().cluster(), state, s.acceptors(),
                    s.activeConnections(), s.totalConnections(), s.requests(), s.refused());
        }
        endTable();
    }

    private void clusters(ClusterDirectory c) {
        out.append("<h2>Clusters</h2>\n");
        if (c == null) {
            unavailable("clusters", "io.switchboard.control");
            return;
        }
        List<ClusterSnapshot> all = c.clusters();
        if (all.isEmpty()) {
            out.append("<p>No clusters are configured.</p>\n");
        }
        for (ClusterSnapshot s : all) {
            cluster(s);
        }
    }

    private void cluster(ClusterSnapshot s) {
        out.append("<h3>").append(escape(s.name())).append("</h3>\n<p class=\"statline\">policy ")
                .append(escape(s.policy())).append(s.ready() ? "" : " (not installed: balancing round-robin)");
        if (s.policyFallbacks() > 0) {
            out.append(", ").append(s.policyFallbacks()).append(" requests balanced round-robin because ")
                    .append(escape(s.policyProblem()));
        }
        out.append("</p>\n");
        boolean actions = actionToken != null;
        table(actions ? new String[] {"Endpoint", "Address", "Weight", "Admin", "Check", "Agent", "Passive", "Eligible",
                "Active", "Requests", "Failures", ""}
                : new String[] {"Endpoint", "Address", "Weight", "Admin", "Check", "Agent", "Passive", "Eligible",
                "Active", "Requests", "Failures"});
        for (Endpoint e : s.endpoints()) {
            endpoint(s, e, actions);
        }
        endTable();
    }

    private void endpoint(ClusterSnapshot s, Endpoint e, boolean actions) {
        EndpointCounters n = s.counters(e);
        EndpointStatus st = s.status(e);
        String id = e.id() + (s.premium().contains(e.id()) ? " (premium)" : "");
        String weight = st == null || st.weight() == e.weight() ? String.valueOf(e.weight())
                : st.weight() + " (configured " + e.weight() + ")";
        out.append("<tr>");
        cell(id);
        cell(e.host() + ":" + e.port());
        cell(weight);
        cell(st == null ? "-" : st.admin().name().toLowerCase());
        titledCell(st == null ? "-" : st.check().name().toLowerCase(), st == null ? null : st.checkDetail());
        titledCell(st == null || st.agentReport() == null ? "-" : st.agentReport(),
                st == null || st.agentProblem() == null ? null : st.agentProblems() + " answers ignored, latest: " + st.agentProblem());
        cell(s.down(e) ? "down" : "up");
        cell(st == null ? "-" : st.eligible() ? "yes" : "no");
        cell(n.active());
        cell(n.requests());
        cell(n.failures());
        if (actions) {
            boolean drained = st != null && st.admin() == EndpointStatus.Admin.DRAINED;
            out.append("<td>");
            actionForm(drained ? "enable" : "drain", s.name() + "/" + e.id());
            out.append("</td>");
        }
        out.append("</tr>\n");
    }

    /** A POST form for one action; the token makes it CSRF-safe (see ActionGuard). */
    private void actionForm(String action, String endpoint) {
        out.append("<form method=\"post\" action=\"switchboard\" style=\"margin:0\">")
                .append("<input type=\"hidden\" name=\"action\" value=\"").append(escape(action)).append("\">")
                .append("<input type=\"hidden\" name=\"endpoint\" value=\"").append(escape(endpoint)).append("\">")
                .append("<input type=\"hidden\" name=\"token\" value=\"").append(escape(actionToken)).append("\">")
                .append("<input type=\"submit\" class=\"ui-button\" value=\"").append(escape(action)).append("\">")
                .append("</form>");
    }

    private void drains(FrontendService f) {
        out.append("<h2>Recent drains</h2>\n");
        if (f == null) {
            unavailable("drains", "io.switchboard.transport");
            return;
        }
        List<DrainRecord> all = f.drains();
        if (all.isEmpty()) {
            out.append("<p>No drains since start.</p>\n");
            return;
        }
        table("Started", "Connections", "Finished", "Cut at the deadline", "Left running", "Took", "What");
        for (int i = all.size() - 1; i >= Math.max(0, all.size() - DRAINS_SHOWN); i--) {
            DrainRecord d = all.get(i);
            row(TIME.format(LocalTime.ofInstant(Instant.ofEpochMilli(d.startedMillis()), ZoneId.systemDefault())),
                    d.connections(), d.finished(), d.forced(), d.leftRunning(),
                    d.tookMillis() + " ms" + (d.done() ? "" : " (still draining)"), d.reason());
        }
        endTable();
    }

    private void unavailable(String what, String bundle) {
        out.append("<p class=\"statline ui-state-error\">The ").append(escape(what)).append(" cannot be shown right now: ")
                .append(escape(bundle)).append(" is not running (it may be being updated). Reload in a moment.</p>\n");
    }

    private void table(String... headers) {
        out.append("<table class=\"nicetable\"><thead><tr>");
        for (String h : headers) {
            out.append("<th>").append(escape(h)).append("</th>");
        }
        out.append("</tr></thead><tbody>\n");
    }

    private void row(Object... cells) {
        out.append("<tr>");
        for (Object c : cells) {
            cell(c);
        }
        out.append("</tr>\n");
    }

    private void cell(Object value) {
        out.append("<td>").append(escape(value)).append("</td>");
    }

    private void titledCell(Object value, String title) {
        if (title == null) {
            cell(value);
        } else {
            out.append("<td title=\"").append(escape(title)).append("\">").append(escape(value)).append("</td>");
        }
    }

    private void endTable() {
        out.append("</tbody></table>\n");
    }
}
