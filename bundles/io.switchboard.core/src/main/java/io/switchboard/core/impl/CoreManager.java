package io.switchboard.core.impl;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.RingStatus;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.core.TableEdit;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The switching core service: control ring, table snapshots, handler buses. Its table is derived
 * from the switch's registry, which republishes it into a new core; so an update of this bundle
 * hands nothing over but leaves its rings running: the switch moves each handler to a ring of the
 * new core, which starts only once the old ring has run everything.
 */
@Component(configurationPid = CoreManager.PID, service = SwitchingCore.class)
@Designate(ocd = CoreManager.Config.class)
public class CoreManager implements SwitchingCore {
    static final String PID = "io.switchboard.core";
    static final List<String> KEYS = List.of("controlRingSize", "busRingSize", "waitStrategy");

    @ObjectClassDefinition(name = "Switchboard switching core")
    public @interface Config {
        @AttributeDefinition(description = "Slots of the control ring (a power of two).")
        int controlRingSize() default 4096;

        @AttributeDefinition(description = "Slots of each handler bus (a power of two); applies to buses made from then on.")
        int busRingSize() default 8192;

        @AttributeDefinition(description = "How ring consumers wait: blocking, sleeping, yielding or busy-spin; applies to buses made from then on.")
        String waitStrategy() default "blocking";
    }

    /** Checked settings. */
    private static final class Settings {
        final int controlRingSize;
        final int busRingSize;
        final String waitStrategy;

        Settings(int controlRingSize, int busRingSize, String waitStrategy) {
            this.controlRingSize = controlRingSize;
            this.busRingSize = busRingSize;
            this.waitStrategy = waitStrategy;
        }

        static Settings parse(Map<String, ?> props) throws ConfigProblem {
            ConfigReader r = new ConfigReader(props, KEYS);
            r.rejectUnknownKeys();
            int control = powerOfTwo("controlRingSize", r.integer("controlRingSize", 4096, 2, 1 << 24));
            int bus = powerOfTwo("busRingSize", r.integer("busRingSize", 8192, 2, 1 << 24));
            String wait = r.choice("waitStrategy", "blocking", "blocking", "sleeping", "yielding", "busy-spin");
            return new Settings(control, bus, wait);
        }

        private static int powerOfTwo(String key, int n) throws ConfigProblem {
            if (Integer.bitCount(n) != 1) {
                throw new ConfigProblem(key, n + " is not a power of two");
            }
            return n;
        }
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private Disruptor<EditEvent> control;
    private RingBuffer<EditEvent> ring;
    private volatile HandlerTable table = HandlerTable.EMPTY;
    private volatile boolean stopped;
    private final Set<Bus> buses = ConcurrentHashMap.newKeySet();
    private volatile Settings settings;
    private BundleContext context;

    /** Where errors go outside a framework (tests). */
    private Consumer<String> standaloneLog = System.out::println;

    /** For tests outside a framework. */
    public static CoreManager start(int controlRingSize, int busRingSize, String waitStrategy) {
        return start(Map.of("controlRingSize", controlRingSize, "busRingSize", busRingSize, "waitStrategy", waitStrategy),
                System.out::println);
    }

    /** For tests outside a framework: a configuration as Config Admin would give it, log lines to {@code log}. */
    static CoreManager start(Map<String, Object> config, Consumer<String> log) {
        CoreManager m = new CoreManager();
        m.standaloneLog = log;
        m.activate(null, config);
        return m;
    }

    int controlRingSize() { return settings.controlRingSize; }
    int busRingSize() { return settings.busRingSize; }
    String waitStrategy() { return settings.waitStrategy; }

    @Activate
    void activate(BundleContext context, Map<String, Object> props) {
        this.context = context;
        ConfigReader r = new ConfigReader(props, KEYS);
        try {
            settings = Settings.parse(props);
        } catch (ConfigProblem p) {
            error(r.rejected(p, "the core starts with its defaults"));
            try {
                settings = Settings.parse(Map.of());
            } catch (ConfigProblem impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        startControlRing(settings.controlRingSize);
    }

    @Modified
    synchronized void modified(Map<String, Object> props) {
        ConfigReader r = new ConfigReader(props, KEYS);
        Settings next;
        try {
            next = Settings.parse(props);
        } catch (ConfigProblem p) {
            error(r.rejected(p, "the core keeps its settings"));
            return;
        }
        Settings before = settings;
        settings = next;
        if (next.controlRingSize != before.controlRingSize) {
            // A new control ring takes over with the current table; the old one runs what it holds first.
            Disruptor<EditEvent> old = control;
            startControlRing(next.controlRingSize);
            old.shutdown();
        }
    }

    private synchronized void startControlRing(int size) {
        Disruptor<EditEvent> d = new Disruptor<>(EditEvent::new, size, r -> {
            Thread t = new Thread(r, "sb-control");
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, WaitStrategies.byName(settings.waitStrategy));
        d.handleEventsWith(new TableWriter(t -> table = t, table));
        ring = d.start();
        control = d;
    }

    @Deactivate
    public void deactivate() {
        stopped = true;
        try {
            control.shutdown(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            control.halt();
        }
        if (context == null || Handover.frameworkStopping(context)) {
            for (Bus b : buses) {
                b.close();
            }
            buses.clear();
        }
        // Otherwise the buses keep running: the switch moves each handler to a bus of the next core
        // and closes the old bus once the new one is in its table.
    }

    @Override
    public void edit(TableEdit edit) {
        if (stopped) {
            return; // nobody consumes the ring any more: waiting for a slot would wait forever
        }
        RingBuffer<EditEvent> r;
        synchronized (this) {
            r = ring;
        }
        // Edits come from the control plane only: a full ring makes the writer wait for a slot rather than lose an edit.
        r.publishEvent((event, sequence, e) -> event.edit = e, edit);
    }

    @Override
    public SwitchTable table() {
        return table;
    }

    @Override
    public List<RingStatus> rings() {
        List<RingStatus> out = new ArrayList<>();
        RingBuffer<EditEvent> r;
        synchronized (this) {
            r = ring;
        }
        if (r != null) {
            out.add(new RingStatus("control", r.getBufferSize(), r.remainingCapacity()));
        }
        for (Bus b : buses) {
            if (!b.closed()) {
                out.add(b.status());
            }
        }
        return out;
    }

    @Override
    public HandlerBus newBus(String name, int threads) {
        return newBus(name, threads, null);
    }

    @Override
    public HandlerBus newBus(String name, int threads, HandlerBus predecessor) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        Settings s = settings;
        Bus bus = new Bus(name, threads, s.busRingSize, WaitStrategies.byName(s.waitStrategy), t -> error("handler on bus "
                + name + " failed: " + t), buses::remove, predecessor);
        buses.add(bus);
        return bus;
    }

    private void error(String msg) {
        Logger l = log;
        if (l != null) {
            l.error(msg);
        } else {
            standaloneLog.accept("ERROR core: " + msg);
        }
    }
}
