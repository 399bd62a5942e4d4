package io.switchboard.cluster.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.dispatch.DispatchEntry;
import io.switchboard.api.dispatch.DispatchTable;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
 * The dispatcher cluster: reads {@code conf/io.switchboard.dispatchers.cfg}, joins the group when
 * enabled, and registers the {@link DispatchTable} service once this dispatcher has the group's
 * table. Off by default: then nothing is registered and every dispatcher balances on its own.
 *
 * <p>The table is state that outlives this bundle: across an update or refresh the stopping version
 * leaves its map (a JDK map of API entries) to the next, which rejoins the group and merges the
 * coordinator's table into it, so no entry is lost.
 */
@Component(configurationPid = DispatcherComponent.PID, service = {}, immediate = true)
@Designate(ocd = DispatcherComponent.Config.class)
public class DispatcherComponent {
    static final String PID = "io.switchboard.dispatchers";
    static final String HANDOVER_KEY = "io.switchboard.cluster.table";
    static final long UNCLAIMED_MILLIS = 60_000;
    /**
     * JGroups logs through java.util.logging, at INFO by default (every view, every address): its
     * warnings stay, the rest is what this component logs itself. Held here so the level sticks.
     */
    private static final java.util.logging.Logger JGROUPS_LOG = java.util.logging.Logger.getLogger("org.jgroups");

    static {
        JGROUPS_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @ObjectClassDefinition(name = "Switchboard dispatcher cluster")
    public @interface Config {
        @AttributeDefinition(description = "Join a group of dispatchers that share their dispatch tables.")
        boolean enabled() default false;

        @AttributeDefinition(description = "The group's name: dispatchers of other groups are not seen.")
        String group() default "switchboard";

        @AttributeDefinition(description = "tcp (members or discoveryDir) or udp (multicast).")
        String transport() default "tcp";

        @AttributeDefinition(description = "Address the group's traffic binds to.")
        String bindAddress() default "127.0.0.1";

        @AttributeDefinition(description = "Port the group's traffic binds to.")
        int bindPort() default 7800;
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterDirectory clusters;

    private BundleContext context;
    private DispatcherSettings settings;
    private ConcurrentMap<String, DispatchEntry> entries;
    private ConcurrentMap<String, io.switchboard.api.dispatch.DispatchLock> locks;
    private ConcurrentMap<String, Long> tombstones;
    private ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> open;
    private ConcurrentMap<String, java.util.Set<String>> holders;
    private final SyncStats stats = new SyncStats();
    private final HybridClock clock = new HybridClock();
    private volatile Joined joined;
    private ServiceRegistration<?> commands;
    private StartHold hold;
    /** Whether a configuration (not the defaults of an absent one) has been read. */
    private volatile boolean configured;
    /** This version took its entries over from the previous one: once joined it sends them all. */
    private volatile boolean takenOver;
    /** A configuration file's settings were accepted (not only the defaults of none, or of a rejected one). */
    private volatile boolean accepted;
    private volatile String problem;

    /** One membership of the group: its channel, table service and registration. */
    private static final class Joined {
        final GroupMember member;
        final ClusteredTable table;
        volatile ServiceRegistration<DispatchTable> registration;
        volatile Thread joiner;

        Joined(GroupMember member, ClusteredTable table) {
            this.member = member;
            this.table = table;
        }
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> props) {
        this.context = context;
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        entries = adopt(left);
        locks = adoptLocks(left);
        tombstones = adoptTombstones(left);
        open = adoptMap(left, "open");
        holders = adoptMap(left, "holders");
        takenOver = left != null && !entries.isEmpty();
        try {
            settings = DispatcherSettings.parse(props);
            accepted = props.containsKey("service.pid");
        } catch (ConfigProblem p) {
            error(new ConfigReader(props, DispatcherSettings.KEYS).rejected(p, "the dispatcher cluster stays off"));
            try {
                settings = DispatcherSettings.parse(Map.of());
            } catch (ConfigProblem impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        commands = context.registerService(Object.class, new DispatcherCommands(this), commandProperties());
        hold = HoldActivator.current;
        // Activated before Config Admin has the file's configuration: the hold stays until it comes.
        configured = props.containsKey("service.pid");
        if (hold.held()) {
            // the join gives up by itself after groupWaitSeconds; this is for a join that hangs
            long bound = settings.groupWaitSeconds * 1000L + settings.joinTimeoutMillis + 30_000L;
            java.util.concurrent.CompletableFuture.delayedExecutor(bound, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> release("the dispatcher cluster did not join within " + bound + " ms"));
        }
        apply(settings);
    }

    /** Lets listeners open; when they were held, says why now. */
    private void release(String why) {
        StartHold h = hold;
        if (h != null && h.held()) {
            if (why != null) {
                warn("listeners open without the dispatcher group's table: " + why);
            }
            h.release();
        }
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentMap<String, DispatchEntry> adopt(Map<String, Object> left) {
        Object m = left == null ? null : left.get("entries");
        return m instanceof ConcurrentMap ? (ConcurrentMap<String, DispatchEntry>) m : new ConcurrentHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static <V> ConcurrentMap<String, V> adoptMap(Map<String, Object> left, String name) {
        Object m = left == null ? null : left.get(name);
        return m instanceof ConcurrentMap ? (ConcurrentMap<String, V>) m : new ConcurrentHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentMap<String, Long> adoptTombstones(Map<String, Object> left) {
        Object m = left == null ? null : left.get("tombstones");
        return m instanceof ConcurrentMap ? (ConcurrentMap<String, Long>) m : new ConcurrentHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentMap<String, io.switchboard.api.dispatch.DispatchLock> adoptLocks(Map<String, Object> left) {
        Object m = left == null ? null : left.get("locks");
        return m instanceof ConcurrentMap ? (ConcurrentMap<String, io.switchboard.api.dispatch.DispatchLock>) m : new ConcurrentHashMap<>();
    }

    @Modified
    void modified(Map<String, Object> props) {
        configured = true;
        DispatcherSettings s;
        try {
            s = DispatcherSettings.parse(props);
        } catch (ConfigProblem p) {
            error(new ConfigReader(props, DispatcherSettings.KEYS).rejected(p,
                    accepted ? "the dispatcher cluster keeps its settings" : "the dispatcher cluster stays off"));
            release("its configuration was rejected");
            return;
        }
        accepted = true;
        if (s.sameGroup(settings) && s.queueSize == settings.queueSize && s.maxBatch == settings.maxBatch
                && s.sessionEnd == settings.sessionEnd && s.idleTimeoutSeconds == settings.idleTimeoutSeconds
                && s.maxUpdateBytes == settings.maxUpdateBytes && s.lockWaitMillis == settings.lockWaitMillis && s.tombstoneSeconds == settings.tombstoneSeconds) {
            settings = s;
            return;
        }
        leave(true);
        settings = s;
        apply(s);
    }

    private void apply(DispatcherSettings s) {
        info(s.describe());
        if (!s.enabled) {
            if (configured) {
                release("the dispatcher cluster is off (or its configuration was rejected)");
            }
            return;
        }
        LocalTable table = new LocalTable(entries, tombstones, s.maxEntries);
        GroupMember member = new GroupMember(s, table, clock, stats, this::fingerprint, this::info, this::warn);
        Joined j = new Joined(member, new ClusteredTable(s, table, new LockTable(locks), open, holders, clock, stats, member, this::warn));
        joined = j;
        // Joining waits for the group and the state transfer: not on the thread that activates components.
        Thread t = new Thread(() -> join(j, s), "sb-dispatch-join");
        t.setDaemon(true);
        j.joiner = t;
        t.start();
    }

    private void join(Joined j, DispatcherSettings s) {
        try {
            String refused = j.member.join();
            if (refused != null) {
                problem = "refused to join group " + s.group + ": " + refused;
                error("dispatcher group " + s.group + ": " + problem);
                release(problem);
                return;
            }
        } catch (Exception e) {
            problem = "could not join group " + s.group + ": " + e;
            error("dispatcher group " + s.group + ": " + problem + " (conf/io.switchboard.dispatchers.cfg)");
            j.member.close();
            release(problem);
            return;
        }
        if (joined != j) {
            j.member.close();
            return;
        }
        problem = null;
        j.table.start();
        if (takenOver) {
            // entries recorded while this bundle was being updated were never sent: the group gets them all
            takenOver = false;
            j.member.requestFullTableToAll();
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("switchboard.dispatcher", s.node);
        props.put("switchboard.dispatcher.group", s.group);
        j.registration = context.registerService(DispatchTable.class, j.table, props);
        info("dispatcher " + s.node + " joined group " + s.group + " (" + j.member.view() + "), " + entries.size()
                + " entries in its table; ready");
        release(j.member.aloneWhy());
    }

    /** Leaves the group; {@code forGood}: the table answers no more (else it serves until the next version's replaces it). */
    private void leave(boolean forGood) {
        Joined j = joined;
        joined = null;
        if (j == null) {
            return;
        }
        ServiceRegistration<DispatchTable> r = j.registration;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // gone with the bundle
            }
        }
        Thread t = j.joiner;
        j.member.stopJoining();
        if (t != null) {
            try {
                t.join(settings.joinTimeoutMillis + 5000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (forGood) {
            j.table.close();
        } else {
            j.table.stop();
        }
        j.member.close();
    }

    @Deactivate
    void deactivate(BundleContext context) {
        try {
            commands.unregister();
        } catch (IllegalStateException e) {
            // gone with the bundle
        }
        hold.release();
        Joined last = joined;
        leave(Handover.frameworkStopping(context));
        if (!Handover.frameworkStopping(context)) {
            Map<String, Object> state = new HashMap<>();
            state.put("entries", entries);
            state.put("tombstones", tombstones);
            state.put("open", open); // sessionEnd = close: connections still open count on the next version
            state.put("holders", holders);
            state.put("locks", locks); // requests parked on them resume when the next version's table decides
            // stopped, not updated: nobody takes the entries, and the last table stops answering
            Handover.leave(context, HANDOVER_KEY, state, UNCLAIMED_MILLIS, () -> {
                if (last != null) {
                    last.table.close();
                }
            });
        }
    }

    /** The clusters' endpoint ids, in one string: dispatchers of one group must agree on them. */
    String fingerprint() {
        ClusterDirectory d = clusters;
        if (d == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        List<ClusterSnapshot> all = new ArrayList<>(d.clusters());
        all.sort(java.util.Comparator.comparing(ClusterSnapshot::name));
        for (ClusterSnapshot c : all) {
            TreeSet<String> ids = new TreeSet<>();
            for (Endpoint e : c.endpoints()) {
                ids.add(e.id());
            }
            sb.append(sb.length() == 0 ? "" : "; ").append(c.name()).append('=').append(String.join(",", ids));
        }
        return sb.toString();
    }

    // What the shell reads.
    DispatcherSettings settings() { return settings; }
    SyncStats stats() { return stats; }
    String problem() { return problem; }
    GroupMember member() { Joined j = joined; return j == null ? null : j.member; }
    ClusteredTable table() { Joined j = joined; return j == null || j.registration == null ? null : j.table; }
    Map<String, DispatchEntry> entries() { return entries; }
    Map<String, io.switchboard.api.dispatch.DispatchLock> locks() { return locks; }

    private static Dictionary<String, Object> commandProperties() {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("osgi.command.scope", "sb");
        d.put("osgi.command.function", new String[] {"peers", "dispatch", "resync"});
        return d;
    }

    void info(String message) {
        Logger l = log;
        if (l != null) {
            l.info(message);
        }
    }

    void warn(String message) {
        Logger l = log;
        if (l != null) {
            l.warn(message);
        }
    }

    void error(String message) {
        Logger l = log;
        if (l != null) {
            l.error(message);
        }
    }
}
