package io.switchboard.intelligentswitch.impl;

import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.SwitchStats;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import io.switchboard.support.log.OptionalLog;
import io.switchboard.support.log.Throttled;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The intelligent switch. Per message it reads the flow's reassignment (a field of the flow) and the
 * current switch table (one volatile read) and calls the owning handler: inline on the event loop,
 * or through the handler's ring when it runs on threads of its own. It keeps no state per flow, so
 * an update of this bundle loses no reassignment; its counters are handed to the next version.
 */
@Component(configurationPid = SwitchManager.PID, service = IntelligentSwitch.class)
@Designate(ocd = SwitchManager.Config.class)
public class SwitchManager implements IntelligentSwitch {
    static final String PID = "io.switchboard.intelligentswitch";
    static final String HANDOVER_KEY = PID;
    static final List<String> KEYS = List.of("watchdogMillis", "watchdogRecoverySeconds", "handlerGraceSeconds");
    /** Counted as the handler of messages served while no default handler can take them. */
    static final String BUILT_IN = "(built-in)";

    @ObjectClassDefinition(name = "Switchboard intelligent switch")
    public @interface Config {
        @AttributeDefinition(description = "Milliseconds a handler may hold its thread in one call before the watchdog takes its new messages away.", min = "10")
        long watchdogMillis() default 1000;

        @AttributeDefinition(description = "Seconds a handler the watchdog caught must stay quiet before it gets messages again.", min = "1")
        int watchdogRecoverySeconds() default 30;

        @AttributeDefinition(description = "Seconds a handler whose service went away keeps its flows, waiting for a replacement (an update).", min = "0")
        int handlerGraceSeconds() default 10;
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;
    private final OptionalLog out = new OptionalLog(() -> log);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sb-switch-timer");
        t.setDaemon(true);
        return t;
    });
    private final Throttled failuresLog = new Throttled(10, TimeUnit.SECONDS);
    private LongAdder messages = new LongAdder();
    private LongAdder reassignments = new LongAdder();
    private LongAdder fallbacks = new LongAdder();
    private LongAdder handlerFailures = new LongAdder();
    private Map<String, LongAdder> byHandler = new ConcurrentHashMap<>();
    private final ArrayDeque<String> decisions = new ArrayDeque<>();
    private final HandlerRegistry registry;
    private final HandlerSpawner spawner;
    private final LoopWatchdog watchdog;
    private BundleContext context;
    private BundleListener uninstalls;

    /** Set once deactivation begins: the handler unbinds that follow must not empty the table. */
    private volatile boolean stopping;

    private long watchdogMillis = 1000;
    private long recoveryMillis = 30_000;

    public SwitchManager() {
        watchdog = new LoopWatchdog(watchdogMillis, recoveryMillis, this::warn);
        registry = new HandlerRegistry(timer, 10_000, this::info, this::warn);
        spawner = new HandlerSpawner(registry, decisions, this::info);
    }

    /** A switch outside a framework (tests). */
    public static SwitchManager withCore(SwitchingCore core) {
        SwitchManager m = new SwitchManager();
        m.bindCore(core);
        m.start();
        return m;
    }

    @Activate
    @SuppressWarnings("unchecked")
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        uninstalls = e -> {
            if (e.getType() == BundleEvent.UNINSTALLED) {
                registry.bundleGone(e.getBundle().getBundleId());
            }
        };
        context.addBundleListener(uninstalls);
        modified(config);
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null) {
            messages = (LongAdder) left.get("messages");
            reassignments = (LongAdder) left.get("reassignments");
            fallbacks = (LongAdder) left.get("fallbacks");
            handlerFailures = (LongAdder) left.get("handlerFailures");
            byHandler = (Map<String, LongAdder>) left.get("byHandler");
            synchronized (decisions) {
                decisions.addAll((ArrayDeque<String>) left.get("decisions"));
            }
        }
        start();
    }

    private void start() {
        timer.scheduleWithFixedDelay(this::probeHandlers, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(watchdog::check, 100, 100, TimeUnit.MILLISECONDS);
    }

    @Modified
    void modified(Map<String, Object> config) {
        ConfigReader r = new ConfigReader(config, KEYS);
        try {
            r.rejectUnknownKeys();
            long w = r.longValue("watchdogMillis", 1000L, 10, 3_600_000);
            long rec = r.integer("watchdogRecoverySeconds", 30, 1, 86_400) * 1000L;
            long g = r.integer("handlerGraceSeconds", 10, 0, 3600) * 1000L;
            watchdog.limits(w, rec);
            registry.grace(g);
        } catch (ConfigProblem p) {
            error(r.rejected(p, "the switch keeps its settings"));
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        timer.shutdownNow();
        try {
            context.removeBundleListener(uninstalls);
        } catch (IllegalStateException e) {
            // the framework is going
        }
        if (context == null || Handover.frameworkStopping(context)) {
            registry.buses().forEach(HandlerBus::close);
            return;
        }
        // The table and the rings stay as they are: the transport routes through this (last known
        // good) switch until the next version binds, and that version takes the rings over.
        Map<String, Object> state = new HashMap<>();
        state.put("messages", messages);
        state.put("reassignments", reassignments);
        state.put("fallbacks", fallbacks);
        state.put("handlerFailures", handlerFailures);
        state.put("byHandler", byHandler);
        state.put("decisions", decisions);
        List<HandlerBus> buses = registry.buses();
        Handover.leave(context, HANDOVER_KEY, state, 10_000, () -> buses.forEach(HandlerBus::close));
    }

    /** One probe of the handler spawner (tests call it directly). */
    void probeHandlers() {
        try {
            spawner.probe();
        } catch (RuntimeException e) {
            warn("handler spawner probe failed: " + e);
        }
    }

    /** Changes the threads of a ring handler now; false when the type has no ring. */
    public boolean resizeHandler(String type, int threads) {
        HandlerEntry e = registry.entry(type);
        return e != null && e.bus() != null && spawner.resize(type, e.bus().threads(), threads, "set by hand");
    }

    /** Runs the watchdog's check now (tests). */
    void checkWatchdog() {
        watchdog.check();
    }

    @Override
    public List<String> handlerDecisions() {
        return spawner.decisions();
    }

    @Override
    public List<String> blockedHandlers() {
        return watchdog.incidents();
    }

    HandlerEntry handler(String type) {
        return registry.entry(type);
    }

    // ---- services ----

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindCore(SwitchingCore core) {
        registry.core(core);
    }

    void unbindCore(SwitchingCore core) {
        registry.coreGone(core); // the last table known good keeps routing
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(FlowHandler handler, ServiceReference<FlowHandler> ref) {
        registry.add(handler, properties(ref), ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName());
    }

    void removeHandler(FlowHandler handler, ServiceReference<FlowHandler> ref) {
        if (!stopping) {
            registry.remove(handler, properties(ref));
        }
    }

    private static Map<String, Object> properties(ServiceReference<?> ref) {
        Map<String, Object> p = new HashMap<>();
        for (String key : ref.getPropertyKeys()) {
            p.put(key, ref.getProperty(key));
        }
        return p;
    }

    /** Registers a handler with its service properties, as its service would be (tests). */
    public void register(FlowHandler handler, Map<String, Object> props, String bundle) {
        registry.add(handler, props, bundle);
    }

    /** Takes a handler away, as its service going away would (tests). */
    public void unregister(FlowHandler handler, Map<String, Object> props) {
        registry.remove(handler, props);
    }

    // ---- the data path ----

    @Override
    public boolean serves(String type) {
        return registry.entry(type) != null && !watchdog.blocked(type);
    }

    @Override
    public void route(TrackedFlow f, Message message) {
        f.countMessage();
        messages.increment();
        SwitchTable table = registry.table();
        Map<String, HandlerEntry> handlers = table == null ? Map.of() : table.handlers();
        Reassignment r = f.reassignment();
        if (r != null) {
            HandlerEntry h = handlers.get(r.type());
            if (h != null && !watchdog.blocked(h.type())) {
                deliver(h, f, message, false);
                return;
            }
            // Its handler went away (or blocks its thread): the flow goes back to the default handler.
            fallbacks.increment();
            f.track(null);
        }
        HandlerEntry d = handlers.get(FlowHandler.DEFAULT_TYPE);
        if (d == null || watchdog.blocked(d.type())) {
            defaultPath(handlers, f, message);
            return;
        }
        deliver(d, f, message, true);
    }

    /**
     * What the default handler would most likely do, when there is none (or it blocks): the
     * protocol's own handler serves the message (HTTP: the routing rules), else it is forwarded to
     * the frontend's cluster.
     */
    private void defaultPath(Map<String, HandlerEntry> handlers, TrackedFlow f, Message m) {
        HandlerEntry p = handlers.get(f.protocol());
        if (p != null && p.bus() == null && !watchdog.blocked(p.type())) {
            invoke(p, f, m, false);
            return;
        }
        count(BUILT_IN);
        m.forward(f.cluster());
    }

    private void deliver(HandlerEntry h, TrackedFlow f, Message m, boolean fromDefault) {
        HandlerBus bus = h.bus();
        if (bus == null) {
            invoke(h, f, m, fromDefault);
        } else if (!bus.publish(f.id(), () -> invoke(h, f, m, fromDefault))) {
            HandlerEntry now = registry.entry(h.type());
            // A ring closed under us (its handler moved to another ring): the table has the new one.
            if (bus.closed() && now != null && now != h) {
                deliver(now, f, m, fromDefault);
            } else {
                m.fail("handler " + h.type() + " is overloaded");
            }
        }
    }

    private void invoke(HandlerEntry h, TrackedFlow f, Message m, boolean fromDefault) {
        count(h.type());
        Reassignment before = f.reassignment();
        LoopWatchdog.Slot slot = watchdog.slot();
        slot.handler = h.type();
        slot.bundle = h.bundle();
        slot.since = System.nanoTime();
        try {
            h.handler().handle(f, m);
        } catch (Exception | LinkageError e) {
            handlerFailures.increment();
            failuresLog.occurred(this::warn, "handler " + h.type() + " failed on " + f + ": " + e);
            m.fail("handler " + h.type() + " failed");
            return;
        } finally {
            slot.since = 0;
        }
        Reassignment after = f.reassignment();
        if (after != before && after != null) {
            reassignments.increment();
            if (fromDefault) {
                // The default handler gave this very message away: pass it to the new owner.
                HandlerEntry next = registry.entry(after.type());
                if (next == null) {
                    f.track(null);
                    m.fail("handler " + after.type() + " went away");
                } else {
                    deliver(next, f, m, false);
                }
            }
            return; // a specialized handler that reassigns starts the new scope with the next message
        }
        if (!fromDefault && after != null && after == before && after.scope() == Reassignment.Scope.NEXT_MESSAGES) {
            f.track(after.messages() <= 1 ? null : Reassignment.nextMessages(after.type(), after.messages() - 1));
        }
    }

    private void count(String type) {
        LongAdder a = byHandler.get(type);
        if (a == null) {
            a = byHandler.computeIfAbsent(type, k -> new LongAdder());
        }
        a.increment();
    }

    @Override
    public SwitchStats stats() {
        Map<String, Long> by = new HashMap<>();
        byHandler.forEach((k, v) -> by.put(k, v.sum()));
        return new SwitchStats(messages.sum(), reassignments.sum(), fallbacks.sum(), handlerFailures.sum(), by);
    }

    private void warn(String msg) {
        out.warn(msg);
    }

    private void info(String msg) {
        out.info(msg);
    }

    private void error(String msg) {
        out.error(msg);
    }
}
