package io.switchboard.transport.impl;

import io.netty.channel.EventLoopGroup;
import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.telemetry.PoolCount;
import io.switchboard.api.telemetry.Telemetry;
import io.switchboard.api.telemetry.TrafficCell;
import io.switchboard.api.tls.TlsTermination;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
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
 * The transport: event loops, frontends and their sockets, back-end pools, flows. Protocols are
 * services found by name; the switch is a service too. Both are dynamic: while one is being
 * replaced the last one known good keeps serving. An update of this bundle hands everything over:
 * the next version adopts the loops, the pools and the connections, binds its own listeners beside
 * the old ones, and only then are the old ones closed.
 */
@Component(configurationPid = Transport.PID, service = {Transport.class, FrontendService.class, TransportInfo.class, Telemetry.class})
@Designate(ocd = Transport.Config.class)
public class Transport implements FrontendService, TransportInfo, Telemetry {
    static final String PID = "io.switchboard.transport";
    static final String HANDOVER_KEY = "io.switchboard.transport";
    static final List<String> KEYS = List.of("eventLoops", "transport", "connectionTableSize");
    /** How long a departed protocol stays in use, waiting for its replacement, before its frontends stop. */
    static final long PROTOCOL_GRACE_MILLIS = 10_000;
    /** How long the state of a stopped transport waits for its next version before it closes everything. */
    static final long HANDOVER_MILLIS = 10_000;

    @ObjectClassDefinition(name = "Switchboard transport")
    public @interface Config {
        @AttributeDefinition(description = "Number of event loops; 0 = one per core. Changed live: new loops start, retired ones drain.", min = "0", max = "1024")
        int eventLoops() default 0;

        @AttributeDefinition(description = "auto (io_uring when it loads, else epoll), epoll, io_uring (io_uring when it loads, else epoll), or nio. Read at start.")
        String transport() default "auto";

        @AttributeDefinition(description = "Most flows the connection table lists (sb:conns); a flow beyond it is served but not listed, and counted as untracked. Changed live.",
                min = "0", max = "100000000")
        int connectionTableSize() default ConnectionTable.DEFAULT_SIZE;
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private final Protocols protocols = new Protocols();
    private final TlsProvider tls = new TlsProvider();
    private SharedRefs refs = new SharedRefs();
    private Loops loops;
    private Pools pools;
    private Drains drains;
    private FrontendTable table;
    private BundleContext context;
    private Map<String, ?> applied;
    private Map<String, ?> frontendSettings = Map.of();
    private ScheduledExecutorService timer;
    private volatile boolean active;
    /**
     * Whether the loops may still be made again on another transport: the transport was activated
     * before Config Admin had its configuration (the configuration files are read by another bundle,
     * at its own pace), and nothing was adopted from a previous version.
     */
    private boolean provisional;

    /** Where log lines go outside a framework (tests); standard output unless told otherwise. */
    private Consumer<String> standaloneLog = System.out::println;

    /** A transport outside a framework (tests): its own loops, no hand-over, log lines to {@code log}. */
    public static Transport standalone(int eventLoops, String transport, Consumer<String> log) {
        Transport t = new Transport();
        t.standaloneLog = log;
        t.start(Map.of("eventLoops", eventLoops, "transport", transport), null);
        return t;
    }

    /** Sends the log lines elsewhere while no log service is bound (tests that activate a transport in a framework). */
    void logTo(Consumer<String> log) {
        standaloneLog = log;
    }

    private BundleListener uninstalls;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        start(config, left);
        provisional = left == null && config.get(Constants.SERVICE_PID) == null;
        uninstalls = e -> {
            if (e.getType() == BundleEvent.UNINSTALLED) {
                bundleGone(e.getBundle().getBundleId());
            }
        };
        context.addBundleListener(uninstalls);
    }

    @SuppressWarnings("unchecked")
    private void start(Map<String, ?> config, Map<String, Object> left) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sb-transport-timer");
            t.setDaemon(true);
            return t;
        });
        Parsed p = parse(config, null);
        applied = p.rejected ? Map.of() : config; // a rejected file is not read again as what runs
        if (left != null) {
            refs = SharedRefs.take((Map<String, Object>) left.get("refs"));
            String reason = (String) left.get("fallbackReason");
            loops = Loops.adopt(adoptedKind(left), reason.isEmpty() ? null : reason, (List<EventLoopGroup>) left.get("loops"));
            drains = new Drains((Deque<Supplier<DrainRecord>>) left.get("drains"), this::info, this::warn);
        } else {
            loops = Loops.create(p.transport, p.eventLoops);
            drains = new Drains(Drains.newHistory(), this::info, this::warn);
        }
        pools = new Pools(loops);
        if (left != null) {
            pools.adopt(loops.groups(), (Supplier<Object[]>) left.get("pools"));
        }
        refs.pool.set(pools);
        refs.table.bound(p.connectionTableSize);
        Listeners listeners = new Listeners(loops, refs, this::protocolFailed);
        if (left != null && tls.get() == null && left.get("tls") instanceof TlsTermination) {
            tls.set((TlsTermination) left.get("tls"), String.valueOf(left.get("tlsServedBy"))); // TLS is being updated too: the one known good
        }
        table = new FrontendTable(loops, protocols, tls, drains, new FrontendSockets(loops, listeners, refs, this::warn), this::info, this::warn, this::error);
        if (left != null) {
            frontendSettings = (Map<String, ?>) left.get("settings");
            table.adopt((List<Map<String, Object>>) left.get("frontends"), settingsOrDefaults(frontendSettings));
            info("transport taken over from the previous version: " + loops.name() + ", " + loops.size() + " event loops, "
                    + table.all().size() + " frontends");
            Loops.Choice wanted = Loops.choose(p.transport);
            if (wanted.kind() != loops.kind() && !"auto".equals(p.transport)) {
                warn("transport " + p.transport + " is configured but the adopted loops are " + loops.name()
                        + ": a transport is changed by a restart, the adopted loops keep running");
            }
            if (p.eventLoops != loops.size()) {
                resize(p.eventLoops);
            }
        } else if (loops.fallbackReason() == null) {
            String why = "auto".equals(p.transport) ? Loops.autoOnEpollBecause() : null;
            info("transport " + loops.name() + ", " + loops.size() + " event loops" + (why == null ? "" : " (auto: " + why + ")"));
        } else if (loops.kind() == Loops.Kind.NIO && "nio".equals(p.transport)) {
            info("transport nio, " + loops.size() + " event loops: " + loops.fallbackReason());
        } else {
            warn("transport " + loops.name() + " (fallback), " + loops.size() + " event loops: " + loops.fallbackReason());
        }
        active = true;
    }

    /** The kind of the loops a previous version left; versions before io_uring said only whether they were epoll. */
    static Loops.Kind adoptedKind(Map<String, Object> left) {
        Object kind = left.get("kind");
        if (kind instanceof String) {
            return Loops.Kind.of((String) kind);
        }
        return Boolean.TRUE.equals(left.get("epoll")) ? Loops.Kind.EPOLL : Loops.Kind.NIO;
    }

    /** The transport's own keys, checked; a bad file keeps what runs. */
    private static final class Parsed {
        int eventLoops;
        String transport;
        int connectionTableSize;
        /** The file was rejected (and said so): these are the values that run instead. */
        boolean rejected;
    }

    private Parsed parse(Map<String, ?> config, Map<String, ?> previous) {
        ConfigReader r = new ConfigReader(config, KEYS);
        Parsed p = new Parsed();
        try {
            r.rejectUnknownKeys();
            int n = r.integer("eventLoops", 0, 0, 1024);
            p.eventLoops = n > 0 ? n : Runtime.getRuntime().availableProcessors();
            p.transport = r.choice("transport", "auto", "auto", "epoll", "io_uring", "nio");
            p.connectionTableSize = r.integer("connectionTableSize", ConnectionTable.DEFAULT_SIZE, 0, ConnectionTable.MAX_SIZE);
            return p;
        } catch (ConfigProblem problem) {
            error(r.rejected(problem, previous == null ? "the transport starts with its defaults" : "the running configuration stays"));
            Parsed instead = previous == null ? parse(Map.of(), null) : parse(previous, null);
            instead.rejected = true;
            return instead;
        }
    }

    @Modified
    synchronized void modified(Map<String, Object> config) {
        Parsed before = parse(applied, null);
        Parsed p = parse(config, applied);
        if (p.rejected) {
            return; // said once; what runs keeps running, and the last good file stays the one compared with
        }
        ConfigReader r = new ConfigReader(config, KEYS);
        boolean wasProvisional = provisional;
        provisional = false;
        // Another kind, or the same one for another reason (a fallback from io_uring, not from the defaults' epoll).
        if (wasProvisional && !Loops.choose(p.transport).equals(new Loops.Choice(loops.kind(), loops.fallbackReason()))) {
            startAgain(config, p.transport);
            return;
        }
        if (!p.transport.equals(before.transport) && Loops.choose(p.transport).kind() != loops.kind()) {
            error(r.rejected(new ConfigProblem("transport", "switching between transports (epoll, io_uring, nio) is not done live (running on "
                    + loops.name() + "); it takes a restart"), "the running configuration stays"));
            return;
        }
        applied = config;
        if (p.connectionTableSize != refs.table.bound()) {
            info("connection table: at most " + p.connectionTableSize + " flows (was " + refs.table.bound() + ")");
            refs.table.bound(p.connectionTableSize);
        }
        if (p.eventLoops != loops.size()) {
            resize(p.eventLoops);
        }
    }

    /**
     * The first configuration asks for another transport than the defaults the transport started on
     * (it was activated before the files were read, moments ago): everything starts again on the
     * configured one. The listeners close, what they accepted meanwhile drains, the loops end; then
     * new loops come up and every frontend binds again, with the shared settings.
     */
    private void startAgain(Map<String, Object> config, String transport) {
        List<FrontendSpec> specs = new ArrayList<>();
        for (Frontend f : table.all()) {
            specs.add(f.spec());
        }
        Map<String, ?> settings = frontendSettings;
        info("transport " + loops.name() + " started before its configuration was read; it starts again on " + transport
                + " (" + specs.size() + " frontends bind again)");
        active = false;
        timer.shutdownNow();
        stopEverything();
        start(config, null);
        if (!settings.isEmpty()) {
            String problem = frontendSettings(settings);
            if (problem != null) {
                warn("shared frontend settings not applied again: " + problem);
            }
        }
        for (FrontendSpec spec : specs) {
            table.apply(spec);
        }
    }

    /** Brings up new loops, or retires loops: their listeners close, their connections drain, then they end. */
    private synchronized void resize(int n) {
        int before = loops.size();
        if (n > before) {
            loops.grow(n);
            table.loopsGrown();
            info("event loops " + before + " -> " + loops.size());
            return;
        }
        List<EventLoopGroup> retired = loops.shrink(n);
        if (retired.isEmpty()) {
            return;
        }
        info("event loops " + before + " -> " + loops.size() + ": the retired loops' connections drain");
        pools.closeIdle(retired);
        table.loopsRetired(retired).whenComplete((x, e) -> timer.execute(() -> {
            Loops.end(retired);
            for (EventLoopGroup g : retired) {
                refs.table.forget(g.next());
            }
        }));
    }

    /** The shared frontend settings ({@code io.switchboard.frontends.cfg}, or tests); null when applied, else the reason. */
    public String frontendSettings(Map<String, ?> props) {
        FrontendSettings s;
        try {
            s = FrontendSettings.parse(props);
        } catch (ConfigProblem p) {
            return p.getMessage();
        }
        String problem = table.settings(s);
        if (problem == null) {
            frontendSettings = props;
            warnUnread(s);
        }
        return problem;
    }

    /** A key no installed protocol reads (a typo, or an option of a protocol not installed): said once, not fatal. */
    private void warnUnread(FrontendSettings s) {
        List<String> names = protocols.names();
        if (names.isEmpty()) {
            return; // at start protocols register after the settings are read: nothing to compare with yet
        }
        List<String> unread = new ArrayList<>();
        for (String key : s.protocolDefaults.keySet()) {
            boolean read = false;
            for (String n : names) {
                Protocols.Entry e = protocols.get(n);
                read |= e != null && e.protocol.options().containsKey(key);
            }
            if (!read) {
                unread.add(key);
            }
        }
        if (!unread.isEmpty()) {
            warn("io.switchboard.frontends.cfg: " + (unread.size() == 1 ? "key " : "keys ") + unread
                    + " not a transport setting " + FrontendSettings.KEYS + " and no installed protocol " + names
                    + " reads it; ignored until a protocol that does is installed");
        }
    }

    private FrontendSettings settingsOrDefaults(Map<String, ?> props) {
        try {
            return FrontendSettings.parse(props);
        } catch (ConfigProblem p) {
            return FrontendSettings.DEFAULTS;
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        try {
            context.removeBundleListener(uninstalls);
        } catch (IllegalStateException e) {
            // the framework is going
        }
        if (context == null || Handover.frameworkStopping(context)) {
            stop();
            return;
        }
        Map<String, Object> state = new HashMap<>();
        state.put("refs", refs.leave());
        state.put("kind", loops.name()); // the next version must register channels of the loops' own kind
        state.put("epoll", loops.isEpoll()); // what versions before io_uring read
        state.put("fallbackReason", loops.fallbackReason() == null ? "" : loops.fallbackReason());
        state.put("loops", loops.groups());
        state.put("pools", pools.leave());
        state.put("drains", drains.history());
        state.put("settings", frontendSettings);
        state.put("frontends", table.leave());
        if (tls.get() != null) {
            state.put("tls", tls.get());
            state.put("tlsServedBy", tls.servedBy());
        }
        timer.shutdown();
        // Nothing is closed here: the next version takes it all over. When none comes (the bundle was
        // stopped, not updated), the listeners close and the connections drain after a while.
        Handover.leave(context, HANDOVER_KEY, state, HANDOVER_MILLIS, () -> {
            info("transport stopped and not taken over: frontends close");
            stopEverything();
        });
    }

    /** Stops for good: listeners close, connections drain, loops end. */
    public void stop() {
        timer.shutdownNow();
        stopEverything();
    }

    private void stopEverything() {
        table.stopAll();
        pools.closeIdle(loops.groups());
        Loops.end(loops.groups());
    }

    // ---- telemetry: read by the metrics bundle ----

    @Override
    public List<TrafficCell> cells() {
        return refs.traffic.cells();
    }

    @Override
    public List<PoolCount> pools(long timeoutMillis) {
        List<PoolCount> out = new ArrayList<>();
        pools.counts(loops.groups(), timeoutMillis).forEach((e, n) -> out.add(new PoolCount(e, n[0], n[1])));
        return out;
    }

    // ---- services the data path uses ----

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindSwitch(IntelligentSwitch s) {
        refs.switchboard.set(s);
    }

    void unbindSwitch(IntelligentSwitch s) {
        // Kept: the last switch known good routes until its replacement binds.
    }

    /** Sets the switch outside a framework (tests). */
    public void switchboard(IntelligentSwitch s) {
        refs.switchboard.set(s);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindTls(TlsTermination t, ServiceReference<TlsTermination> ref) {
        tls(t, ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName() + " " + ref.getBundle().getVersion());
    }

    void unbindTls(TlsTermination t) {
        // Kept: frontends that terminate TLS go on with the last service known good until its replacement binds.
    }

    /** Sets the TLS termination service (tests, and the reference above). */
    public void tls(TlsTermination t, String bundle) {
        if (tls.set(t, bundle) && active) {
            table.tlsChanged();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addProtocol(FrontendProtocol p, ServiceReference<FrontendProtocol> ref) {
        Object name = ref.getProperty(FrontendProtocol.NAME);
        if (name == null) {
            warn("protocol service " + ref.getProperty(Constants.SERVICE_ID) + " has no " + FrontendProtocol.NAME + " property; ignored");
            return;
        }
        Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
        String bundle = ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName() + " " + ref.getBundle().getVersion();
        addProtocol(name.toString(), p, (Long) ref.getProperty(Constants.SERVICE_ID), ranking instanceof Integer ? (Integer) ranking : 0, bundle,
                ref.getBundle() == null ? -1 : ref.getBundle().getBundleId());
    }

    void removeProtocol(FrontendProtocol p, ServiceReference<FrontendProtocol> ref) {
        Object name = ref.getProperty(FrontendProtocol.NAME);
        if (name != null) {
            removeProtocol(name.toString(), p);
        }
    }

    /** Registers a protocol as its service would be (tests, and the reference above). */
    public void addProtocol(String name, FrontendProtocol p, long serviceId, int ranking, String bundle, long bundleId) {
        if (protocols.add(name, new Protocols.Entry(p, serviceId, ranking, bundle, bundleId)) && active) {
            table.protocolChanged(name);
        }
    }

    public void removeProtocol(String name, FrontendProtocol p) {
        if (protocols.remove(name, p)) {
            if (active) {
                table.protocolChanged(name);
            }
            return;
        }
        Protocols.Entry departed = protocols.departed(name) ? protocols.get(name) : null;
        if (departed != null && active) {
            timer.schedule(() -> giveUp(name, departed, "went away and nothing replaced it within " + PROTOCOL_GRACE_MILLIS / 1000 + " s"),
                    PROTOCOL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void giveUp(String name, Protocols.Entry departed, String why) {
        if (protocols.forget(name, departed)) {
            warn("protocol " + name + " from " + departed.bundle + " " + why + ": its frontends stop until it is installed again");
            table.protocolGone(name);
        }
    }

    /** A bundle was uninstalled: the protocols it left are not being updated, they are gone. */
    private void bundleGone(long bundleId) {
        for (String name : protocols.departedFrom(bundleId)) {
            Protocols.Entry departed = protocols.get(name);
            timer.execute(() -> giveUp(name, departed, "was uninstalled"));
        }
    }

    private void protocolFailed(Frontend f, Throwable t) {
        warn("frontend " + f.spec().name() + ": protocol " + f.spec().protocol() + " from " + f.servedBy()
                + " failed to set up a connection: " + t);
    }

    // ---- FrontendService, TransportInfo ----

    // Synchronized with modified(): a frontend applied while the transport starts again lands on the new table.
    @Override public synchronized void apply(FrontendSpec spec) { table.apply(spec); }
    @Override public synchronized void remove(String name) { table.remove(name); }
    @Override public List<FrontendStatus> frontends() { return table.statuses(); }
    @Override public List<DrainRecord> drains() { return drains.records(); }

    @Override public List<TrackedFlow> flows() { return refs.table.snapshot(); }
    @Override public ConnectionTableStats connectionTable() { return refs.table.stats(); }

    @Override public String name() { return loops.name(); }
    @Override public String fallbackReason() { return loops.fallbackReason(); }
    @Override public int eventLoops() { return loops.size(); }

    // ---- for the spawner and the shared settings ----

    Loops loops() { return loops; }
    int acceptors() { return table.acceptors(); }
    void setAcceptors(int n) { table.setAcceptors(n); }
    FrontendSettings currentSettings() { return table.settings(); }

    /**
     * A datagram frontend's counters (tests, and operators through sb:frontends): datagrams in, out,
     * dropped, dropped for a full flow table, flows expired; null for a frontend without a datagram socket.
     */
    public long[] datagramCounters(String frontend) {
        for (Frontend f : table.all()) {
            if (f.spec().name().equals(frontend) && f.datagrams != null) {
                return f.datagrams.counters();
            }
        }
        return null;
    }

    /** A frontend's listening sockets (tests). */
    List<io.netty.channel.Channel> listeners(String frontend) {
        for (Frontend f : table.all()) {
            if (f.spec().name().equals(frontend)) {
                return List.copyOf(f.listeners);
            }
        }
        return List.of();
    }

    /** The back-end pool (tests). */
    public io.switchboard.api.transport.BackendPool pool() { return pools; }

    // Outside a framework (tests) there is no log service: the lines go to standard output.

    void info(String m) {
        Logger l = log;
        if (l != null) {
            l.info(m);
        } else {
            standaloneLog.accept("INFO  transport: " + m);
        }
    }

    void warn(String m) {
        Logger l = log;
        if (l != null) {
            l.warn(m);
        } else {
            standaloneLog.accept("WARN  transport: " + m);
        }
    }

    void error(String m) {
        Logger l = log;
        if (l != null) {
            l.error(m);
        } else {
            standaloneLog.accept("ERROR transport: " + m);
        }
    }
}
