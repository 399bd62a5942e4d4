package io.switchboard.shell.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.handler.ClassifierStats;
import io.switchboard.api.runtime.AcceptorSpawner;
import io.switchboard.api.runtime.FrontendService;
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

/**
 * Operator commands about the intelligent switch, scope {@code sb}. Every service is optional and
 * dynamic: while a bundle is being updated its command says so instead of this component restarting.
 */
@Component(service = SwitchCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=flows",
        "osgi.command.function=reassignments",
        "osgi.command.function=handlers",
        "osgi.command.function=spawner"})
public class SwitchCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile IntelligentSwitch switchboard;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SwitchingCore core;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FrontendService frontends;

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
        FrontendService f = frontends;
        if (f == null) {
            return "the transport is not running";
        }
        List<TrackedFlow> all = f.flows();
        TextTable t = new TextTable("FLOW", "PROTO", "CLIENT", "FRONTEND", "HANDLER", "MESSAGES", "BYTES-IN", "BYTES-OUT", "AGE");
        long now = System.currentTimeMillis();
        for (TrackedFlow x : all.subList(0, Math.min(all.size(), FlowText.MAX_LISTED))) {
            t.row(x.id(), FlowText.protocol(x), FlowText.client(x), x.frontend(), x.owner(), x.messages(),
                    x.bytesIn(), x.bytesOut(), FlowText.age(now, x));
        }
        long untracked = f.connectionTable().untrackedOpen();
        return t.toString() + FlowText.more(all.size()) + all.size() + " flows open"
                + (untracked > 0 ? " and " + untracked + " more not listed (the connection table is full, see sb:conns)" : "");
    }

    @Descriptor("flows reassigned to a specialized handler (read from the live flows), and the switch's counters")
    public String reassignments() {
        FrontendService f = frontends;
        IntelligentSwitch s = switchboard;
        if (f == null || s == null) {
            return f == null ? "the transport is not running" : "the intelligent switch is not running";
        }
        List<TrackedFlow> reassigned = new ArrayList<>();
        for (TrackedFlow x : f.flows()) {
            if (x.reassignment() != null) {
                reassigned.add(x);
            }
        }
        TextTable t = new TextTable("FLOW", "FRONTEND", "CLIENT", "HANDLER", "SCOPE", "SINCE");
        long now = System.currentTimeMillis();
        for (TrackedFlow x : reassigned.subList(0, Math.min(reassigned.size(), FlowText.MAX_LISTED))) {
            Reassignment r = x.reassignment();
            if (r != null) {
                t.row(x.id(), x.frontend(), FlowText.client(x), r.type(), scope(r), (now - x.reassignedMillis()) / 1000 + "s ago");
            }
        }
        SwitchStats stats = s.stats();
        return t.toString() + reassigned.size() + " flows reassigned now; since start: " + stats.reassignments() + " reassignments, "
                + stats.fallbacks() + " fallbacks to the default handler, " + stats.handlerFailures() + " handler failures";
    }

    private static String scope(Reassignment r) {
        switch (r.scope()) {
            case NEXT_MESSAGES: return "next " + r.messages();
            case REST_OF_FLOW: return "rest of flow";
            default: return "until handed back";
        }
    }

    @Descriptor("registered handlers: type, inline or on a ring (threads now), bundle, messages; the handler spawner's decisions; classifiers")
    public String handlers() {
        IntelligentSwitch s = switchboard;
        SwitchingCore c0 = core;
        if (s == null || c0 == null) {
            return s == null ? "the intelligent switch is not running" : "the switching core is not running";
        }
        Map<String, Long> byHandler = s.stats().messagesByHandler();
        List<HandlerEntry> entries = new ArrayList<>(c0.table().handlers().values());
        entries.sort(Comparator.comparing(HandlerEntry::type));
        TextTable t = new TextTable("TYPE", "RUNS", "BUNDLE", "SERVICE", "MESSAGES");
        for (HandlerEntry e : entries) {
            t.row(e.type(), e.bus() == null ? "inline" : "ring, " + e.bus().threads() + " threads", e.bundle(), e.serviceId(),
                    byHandler.getOrDefault(e.type(), 0L));
        }
        StringBuilder sb = new StringBuilder(t.toString());
        for (String d : s.handlerDecisions()) {
            sb.append("  ").append(d).append('\n');
        }
        for (String b : s.blockedHandlers()) {
            sb.append("  BLOCKED: ").append(b).append('\n');
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
