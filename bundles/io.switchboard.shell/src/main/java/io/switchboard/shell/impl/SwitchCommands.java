package io.switchboard.shell.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.handler.ClassifierStats;
import io.switchboard.api.runtime.AcceptorSpawner;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.SwitchStats;
import io.switchboard.api.switching.TrackedFlow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Operator commands about the intelligent switch, scope {@code sb}. */
@Component(service = SwitchCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=flows",
        "osgi.command.function=reassignments",
        "osgi.command.function=handlers",
        "osgi.command.function=spawner"})
public class SwitchCommands {
    /** More flows than this are summarized, not listed. */
    static final int MAX_LISTED = 200;

    @Reference
    private IntelligentSwitch switchboard;

    @Reference
    private SwitchingCore core;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ClassifierStats classifiers;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AcceptorSpawner spawner;

    @Descriptor("set the number of event loops accepting on each frontend")
    public String spawner(@Descriptor("accepting loops") int acceptors) {
        AcceptorSpawner s = spawner;
        if (s == null) {
            return "no spawner running";
        }
        s.setAcceptors(acceptors);
        return spawner();
    }

    @Descriptor("the spawner: accepting event loops now and their bounds, the lag it weighs, its latest decisions")
    public String spawner() {
        AcceptorSpawner s = spawner;
        if (s == null) {
            return "no spawner running";
        }
        StringBuilder sb = new StringBuilder()
                .append("accepting loops ").append(s.acceptors()).append(" (min ").append(s.minAcceptors())
                .append(", max ").append(s.maxAcceptors()).append("), lag ").append(s.lagMicros()).append(" µs, ")
                .append(s.canShrinkWithoutLoss() ? "shrinks without loss (kernel request migration on)"
                        : "grows only (kernel request migration off)").append('\n');
        for (String d : s.decisions()) {
            sb.append("  ").append(d).append('\n');
        }
        return sb.toString();
    }

    @Descriptor("live flows: id, protocol, client, frontend, owning handler, messages, bytes in and out, age")
    public String flows() {
        List<TrackedFlow> all = switchboard.flows();
        Table t = new Table("FLOW", "PROTO", "CLIENT", "FRONTEND", "HANDLER", "MESSAGES", "BYTES-IN", "BYTES-OUT", "AGE");
        long now = System.currentTimeMillis();
        for (TrackedFlow f : all.subList(0, Math.min(all.size(), MAX_LISTED))) {
            t.row(f.id(), f.protocol().name().toLowerCase(), address(f), f.frontend(), f.owner(), f.messages(),
                    f.bytesIn(), f.bytesOut(), (now - f.openedMillis()) / 1000 + "s");
        }
        String more = all.size() > MAX_LISTED ? "... and " + (all.size() - MAX_LISTED) + " more\n" : "";
        return t.toString() + more + all.size() + " flows open";
    }

    private static String address(TrackedFlow f) {
        return f.clientAddress() == null ? "-" : f.clientAddress().getAddress().getHostAddress() + ":" + f.clientAddress().getPort();
    }

    @Descriptor("flows reassigned to a specialized handler, and the switch's counters")
    public String reassignments() {
        List<ReassignmentRecord> records = new ArrayList<>(core.table().reassignments().values());
        records.sort(Comparator.comparingLong(ReassignmentRecord::flowId));
        Table t = new Table("FLOW", "FRONTEND", "CLIENT", "HANDLER", "SCOPE", "SINCE");
        long now = System.currentTimeMillis();
        for (ReassignmentRecord r : records.subList(0, Math.min(records.size(), MAX_LISTED))) {
            t.row(r.flowId(), r.frontend(), r.client(), r.reassignment().type(), scope(r), (now - r.sinceMillis()) / 1000 + "s ago");
        }
        SwitchStats s = switchboard.stats();
        return t.toString() + records.size() + " flows reassigned now; since start: " + s.reassignments() + " reassignments, "
                + s.fallbacks() + " fallbacks to the default handler, " + s.handlerFailures() + " handler failures";
    }

    private static String scope(ReassignmentRecord r) {
        switch (r.reassignment().scope()) {
            case NEXT_MESSAGES: return "next " + r.reassignment().messages();
            case REST_OF_FLOW: return "rest of flow";
            default: return "until handed back";
        }
    }

    @Descriptor("registered handlers: type, inline or on a ring (threads now), bundle, messages; the handler spawner's decisions; classifiers")
    public String handlers() {
        Map<String, Long> byHandler = switchboard.stats().messagesByHandler();
        List<HandlerEntry> entries = new ArrayList<>(core.table().handlers().values());
        entries.sort(Comparator.comparing(HandlerEntry::type));
        Table t = new Table("TYPE", "RUNS", "BUNDLE", "SERVICE", "MESSAGES");
        for (HandlerEntry e : entries) {
            t.row(e.type(), e.bus() == null ? "inline" : "ring, " + e.bus().threads() + " threads", e.bundle(), e.serviceId(),
                    byHandler.getOrDefault(e.type(), 0L));
        }
        StringBuilder sb = new StringBuilder(t.toString());
        for (String d : switchboard.handlerDecisions()) {
            sb.append("  ").append(d).append('\n');
        }
        ClassifierStats c = classifiers;
        if (c != null) {
            sb.append("classifiers: ").append(c.classifiers().isEmpty() ? "none" : String.join(", ", c.classifiers()))
                    .append(" (classified ").append(c.classified()).append(", failed ").append(c.failures())
                    .append(", slow ").append(c.slow()).append(')');
        }
        return sb.toString();
    }
}
