package io.switchboard.core.impl;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.core.TableEdit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import com.lmax.disruptor.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The switching core service: control ring, table snapshots, handler buses. */
@Component(configurationPid = "io.switchboard.core", service = SwitchingCore.class)
@Designate(ocd = CoreManager.Config.class)
public class CoreManager implements SwitchingCore {

    @ObjectClassDefinition(name = "Switchboard switching core")
    public @interface Config {
        @AttributeDefinition(description = "Slots of the control ring (a power of two).")
        int controlRingSize() default 4096;

        @AttributeDefinition(description = "Slots of each handler bus (a power of two).")
        int busRingSize() default 8192;

        @AttributeDefinition(description = "How ring consumers wait: blocking, sleeping, yielding or busy-spin.")
        String waitStrategy() default "blocking";
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile Logger log;

    private Disruptor<EditEvent> control;
    private RingBuffer<EditEvent> ring;
    private volatile Table table = Table.EMPTY;
    private volatile boolean stopped;
    private final Set<Bus> buses = ConcurrentHashMap.newKeySet();
    private Config config;

    /** For tests outside a framework. */
    public static CoreManager start(int controlRingSize, int busRingSize, String waitStrategy) {
        CoreManager m = new CoreManager();
        m.activate(new Config() {
            @Override public Class<? extends java.lang.annotation.Annotation> annotationType() { return Config.class; }
            @Override public int controlRingSize() { return controlRingSize; }
            @Override public int busRingSize() { return busRingSize; }
            @Override public String waitStrategy() { return waitStrategy; }
        });
        return m;
    }

    @Activate
    void activate(Config config) {
        checkPowerOfTwo("controlRingSize", config.controlRingSize());
        checkPowerOfTwo("busRingSize", config.busRingSize());
        WaitStrategies.byName(config.waitStrategy());
        this.config = config;
        control = new Disruptor<>(EditEvent::new, config.controlRingSize(), r -> {
            Thread t = new Thread(r, "sb-control");
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, WaitStrategies.byName(config.waitStrategy()));
        control.handleEventsWith(new TableWriter(t -> table = t));
        ring = control.start();
    }

    private static void checkPowerOfTwo(String key, int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException(key + " must be a power of two: " + n);
        }
    }

    @Deactivate
    public void deactivate() {
        stopped = true;
        for (Bus b : buses) {
            b.close();
        }
        buses.clear();
        try {
            control.shutdown(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            control.halt();
        }
    }

    @Override
    public void edit(TableEdit edit) {
        if (stopped) {
            return; // nobody consumes the ring any more: waiting for a slot would wait forever
        }
        // Edits come from the control plane and, once per reassignment, from an event loop: a full
        // ring makes the writer wait for a slot rather than lose an edit.
        ring.publishEvent((event, sequence, e) -> event.edit = e, edit);
    }

    @Override
    public SwitchTable table() {
        return table;
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
        if (predecessor != null && !(predecessor instanceof Bus)) {
            throw new IllegalArgumentException("not a bus of this core: " + predecessor);
        }
        Bus bus = new Bus(name, threads, config.busRingSize(), WaitStrategies.byName(config.waitStrategy()), t -> {
            Logger l = log;
            if (l != null) {
                l.error("handler on bus " + name + " failed: " + t, t);
            }
        }, buses::remove, (Bus) predecessor);
        buses.add(bus);
        return bus;
    }
}
