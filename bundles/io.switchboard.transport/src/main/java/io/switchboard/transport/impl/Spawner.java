package io.switchboard.transport.impl;

import io.switchboard.api.runtime.AcceptorSpawner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.Map;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The spawner (seed 001): grows and shrinks the number of event loops that accept on each frontend,
 * between configured bounds. It weighs queueing delay — how late a task posted to an accepting loop
 * runs — against resources (loops accepting). Hysteresis: growing needs the delay over a high mark
 * for a few probes, shrinking needs it under a low mark for many, and every change is followed by a
 * cool-down. It shrinks only when the kernel migrates a closed listener's waiting connections to the
 * others ({@code net.ipv4.tcp_migrate_req}), so shrinking never loses a connection.
 */
@Component(configurationPid = Spawner.PID, service = AcceptorSpawner.class, immediate = true) // it runs whether or not anyone asks sb:spawner
@Designate(ocd = Spawner.Config.class)
public class Spawner implements AcceptorSpawner {
    static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @ObjectClassDefinition(name = "Switchboard spawner")
    public @interface Config {
        @AttributeDefinition(description = "Let the spawner change the number of accepting loops.")
        boolean enabled() default true;

        @AttributeDefinition(description = "Fewest accepting loops (0 = all loops: never shrink).", min = "0")
        int minAcceptors() default 1;

        @AttributeDefinition(description = "Most accepting loops (0 = all loops).", min = "0")
        int maxAcceptors() default 0;

        @AttributeDefinition(description = "Milliseconds between probes.", min = "10")
        int probeMillis() default 1000;

        @AttributeDefinition(description = "Grow when the accepting loops' lag stays over this many microseconds...", min = "1")
        long growLagMicros() default 2000;

        @AttributeDefinition(description = "...for this many probes in a row.", min = "1")
        int growAfter() default 2;

        @AttributeDefinition(description = "Shrink when the lag stays under this many microseconds...", min = "0")
        long shrinkLagMicros() default 200;

        @AttributeDefinition(description = "...for this many probes in a row.", min = "1")
        int shrinkAfter() default 30;

        @AttributeDefinition(description = "Probes to wait after a change before the next one.", min = "0")
        int coolDown() default 5;

        @AttributeDefinition(description = "Turn on the kernel's migration of waiting connections when allowed (auto) or leave it (off).")
        String migrateRequests() default "auto";
    }

    static final String PID = "io.switchboard.spawner";
    static final List<String> KEYS = List.of("enabled", "minAcceptors", "maxAcceptors", "probeMillis", "growLagMicros",
            "growAfter", "shrinkLagMicros", "shrinkAfter", "coolDown", "migrateRequests");

    @Reference
    private Transport transport;

    /** The settings in force, checked (a bad file keeps them). */
    private static final class Settings {
        boolean enabled;
        int minAcceptors;
        int maxAcceptors;
        int probeMillis;
        long growLagMicros;
        int growAfter;
        long shrinkLagMicros;
        int shrinkAfter;
        int coolDown;
        String migrateRequests;

        static Settings parse(ConfigReader r) throws ConfigProblem {
            r.rejectUnknownKeys();
            Settings s = new Settings();
            s.enabled = r.bool("enabled", true);
            s.minAcceptors = r.integer("minAcceptors", 1, 0, 1024);
            s.maxAcceptors = r.integer("maxAcceptors", 0, 0, 1024);
            s.probeMillis = r.integer("probeMillis", 1000, 10, 3_600_000);
            s.growLagMicros = r.longValue("growLagMicros", 2000L, 1, 60_000_000);
            s.growAfter = r.integer("growAfter", 2, 1, 1000);
            s.shrinkLagMicros = r.longValue("shrinkLagMicros", 200L, 0, 60_000_000);
            s.shrinkAfter = r.integer("shrinkAfter", 30, 1, 100_000);
            s.coolDown = r.integer("coolDown", 5, 0, 100_000);
            s.migrateRequests = r.choice("migrateRequests", "auto", "auto", "off");
            return s;
        }
    }

    private volatile Settings config;
    private ScheduledExecutorService timer;
    private volatile AtomicLongArray lag;
    private volatile long lagMicros;
    private volatile boolean migrates;
    private int over;
    private int under;
    private int coolDown;
    private final ArrayDeque<String> decisions = new ArrayDeque<>();

    @Activate
    void activate(Map<String, Object> props) {
        ConfigReader r = new ConfigReader(props, KEYS);
        try {
            config = Settings.parse(r);
        } catch (ConfigProblem p) {
            transport.error(r.rejected(p, "the spawner starts with its defaults"));
            try {
                config = Settings.parse(new ConfigReader(Map.of(), KEYS));
            } catch (ConfigProblem impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        start();
    }

    @Modified
    void modified(Map<String, Object> props) {
        ConfigReader r = new ConfigReader(props, KEYS);
        try {
            Settings s = Settings.parse(r);
            stop();
            config = s;
            start();
        } catch (ConfigProblem p) {
            transport.error(r.rejected(p, "the spawner keeps its settings"));
        }
    }

    private void start() {
        this.migrates = enableMigration("auto".equals(config.migrateRequests));
        if (!config.enabled) {
            decide("spawner disabled: " + transport.acceptors() + " accepting loops");
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sb-spawner");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::probe, config.probeMillis, config.probeMillis, TimeUnit.MILLISECONDS);
    }

    private void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private boolean enableMigration(boolean allowedToTurnOn) {
        try {
            if (!Files.isRegularFile(MIGRATE_REQ)) {
                return false;
            }
            if ("1".equals(Files.readString(MIGRATE_REQ, StandardCharsets.US_ASCII).trim())) {
                return true;
            }
            if (allowedToTurnOn) {
                Files.writeString(MIGRATE_REQ, "1\n", StandardCharsets.US_ASCII);
                transport.info("spawner: turned on net.ipv4.tcp_migrate_req, so a closed listener's waiting connections move to the others");
                return true;
            }
        } catch (Exception e) {
            transport.info("spawner: cannot turn on net.ipv4.tcp_migrate_req (" + e.getMessage() + "); accepting loops will grow but not shrink");
        }
        return false;
    }

    /** Reads the lag of the probes posted last time, posts new ones, decides. */
    private void probe() {
        try {
            Loops loops = transport.loops();
            int count = loops.size();
            AtomicLongArray l = lag;
            if (l == null || l.length() != count) {
                l = new AtomicLongArray(count); // the loops changed: probe afresh
                lag = l;
            }
            int n = transport.acceptors();
            long worst = 0;
            for (int i = 0; i < Math.min(n, count); i++) {
                worst = Math.max(worst, l.get(i));
            }
            lagMicros = worst / 1000;
            AtomicLongArray probes = l;
            for (int i = 0; i < count; i++) {
                int index = i;
                long posted = System.nanoTime();
                loops.loop(i).execute(() -> probes.set(index, System.nanoTime() - posted));
            }
            step(n);
        } catch (RuntimeException e) {
            transport.warn("spawner probe failed: " + e);
        }
    }

    private void step(int n) {
        if (coolDown > 0) {
            coolDown--;
            return;
        }
        int max = maxAcceptors();
        int min = minAcceptors();
        long l = lagMicros;
        Settings c = config;
        over = l > c.growLagMicros ? over + 1 : 0;
        under = l < c.shrinkLagMicros ? under + 1 : 0;
        if (over >= c.growAfter && n < max) {
            resize(n + 1, "accepting loops lag " + l + " µs > " + c.growLagMicros + " µs for " + over + " probes");
        } else if (under >= c.shrinkAfter && n > min && migrates) {
            resize(n - 1, "accepting loops lag " + l + " µs < " + c.shrinkLagMicros + " µs for " + under + " probes");
        }
    }

    /** Changes the number of accepting loops and records why. */
    synchronized void resize(int n, String reason) {
        int before = transport.acceptors();
        transport.setAcceptors(n);
        int after = transport.acceptors();
        if (after != before) {
            decide((after > before ? "grow " : "shrink ") + before + " -> " + after + " accepting loops: " + reason);
            over = 0;
            under = 0;
            coolDown = config.coolDown;
        }
    }

    private synchronized void decide(String decision) {
        String line = LocalTime.now().format(TIME) + " " + decision;
        decisions.addLast(line);
        while (decisions.size() > 20) {
            decisions.removeFirst();
        }
        transport.info("spawner: " + decision);
    }

    @Override public int acceptors() { return transport.acceptors(); }

    @Override
    public int minAcceptors() {
        Settings c = config;
        return c.minAcceptors > 0 ? Math.min(c.minAcceptors, maxAcceptors()) : maxAcceptors();
    }

    @Override
    public int maxAcceptors() {
        Settings c = config;
        int loops = transport.loops().size();
        return c.maxAcceptors > 0 ? Math.min(c.maxAcceptors, loops) : loops;
    }

    @Override public long lagMicros() { return lagMicros; }
    @Override public boolean canShrinkWithoutLoss() { return migrates; }

    @Override
    public void setAcceptors(int n) {
        resize(n, "set by the operator");
    }

    @Override
    public synchronized List<String> decisions() {
        return new ArrayList<>(decisions);
    }
}
