package io.switchboard.accesslog.impl;

import io.switchboard.api.log.AccessLog;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import java.time.Clock;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
 * The access log's component: reads {@code conf/io.switchboard.accesslog.cfg}, registers the
 * {@link AccessLog} service with its {@link AccessLog#ENABLED} property, and passes the log on to
 * its next version.
 *
 * <p>Across an update or refresh of this bundle nothing is lost: the stopping version keeps its
 * writer running (the HTTP handler keeps calling its service, the last one known good) and leaves a
 * hand-over; the next version starts its own ring, tells the old one to pass every entry from now on
 * to the new service, and its writer opens the file only once the old writer has written out the
 * rest and closed it. The counters are the same objects throughout. A version stopped with no
 * successor writes on for {@link #UNCLAIMED_MILLIS}, then writes out what it holds and stops.
 */
@Component(configurationPid = AccessLogComponent.PID, service = {}, immediate = true)
@Designate(ocd = AccessLogComponent.Config.class)
public class AccessLogComponent {
    static final String PID = "io.switchboard.accesslog";
    static final String HANDOVER_KEY = "io.switchboard.accesslog.service";
    static final long UNCLAIMED_MILLIS = 30_000;

    @ObjectClassDefinition(name = "Switchboard access log")
    public @interface Config {
        @AttributeDefinition(description = "Write an access log.")
        boolean enabled() default false;

        @AttributeDefinition(description = "The log file, relative to the working directory.")
        String path() default AccessLogSettings.DEFAULT_PATH;

        @AttributeDefinition(description = "combined (NGINX), haproxy (HAProxy's httplog) or json (one object per line).")
        String format() default "combined";

        @AttributeDefinition(description = "Slots of the ring between the event loops and the writer (a power of two); a full ring drops entries and counts them.")
        int ringSize() default 8192;

        @AttributeDefinition(description = "Rotate when the file would grow past this many bytes (0: never by size).")
        long rotateBytes() default AccessLogSettings.DEFAULT_ROTATE_BYTES;

        @AttributeDefinition(description = "Rotate at local midnight.")
        boolean rotateDaily() default false;

        @AttributeDefinition(description = "Rotated files kept (path.1 newest ... path.N).")
        int keep() default 10;
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private final WriteProblems problems = new WriteProblems(() -> log);
    private AccessLogService service;
    private LogCounters counters;
    private ServiceRegistration<AccessLog> registration;
    /** The last configuration accepted, passed on: a next version that reads a bad one keeps this. */
    private Map<String, Object> lastGood;

    @Activate
    void activate(BundleContext context, Map<String, Object> props) {
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        counters = LogCounters.fromHandover(left);
        service = new AccessLogService(counters, Clock.systemDefaultZone(), problems::report);
        AccessLogSettings settings = firstSettings(props, left);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        service.apply(settings, gate);
        Object handOver = left == null ? null : left.get("handOver");
        if (handOver instanceof Function) {
            @SuppressWarnings("unchecked")
            Function<AccessLog, CompletableFuture<Void>> previous = (Function<AccessLog, CompletableFuture<Void>>) handOver;
            previous.apply(service).whenComplete((done, failure) -> gate.complete(null));
        } else {
            gate.complete(null);
        }
        registration = context.registerService(AccessLog.class, service, properties(settings));
        if (left == null) {
            info("access log " + settings.describe());
        }
    }

    private AccessLogSettings firstSettings(Map<String, Object> props, Map<String, Object> left) {
        try {
            AccessLogSettings s = AccessLogSettings.parse(props);
            lastGood = operatorKeys(props);
            return s;
        } catch (ConfigProblem p) {
            Object before = left == null ? null : left.get("settings");
            if (before instanceof Map) {
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> kept = (Map<String, Object>) before;
                    AccessLogSettings s = AccessLogSettings.parse(kept);
                    lastGood = kept;
                    error(new ConfigReader(props, AccessLogSettings.KEYS).rejected(p, "the access log keeps its settings"));
                    return s;
                } catch (ConfigProblem stale) {
                    // fall through to the defaults
                }
            }
            error(new ConfigReader(props, AccessLogSettings.KEYS).rejected(p, "the access log starts with its defaults (off)"));
            lastGood = Map.of();
            return AccessLogSettings.DEFAULTS;
        }
    }

    @Modified
    void modified(Map<String, Object> props) {
        AccessLogSettings s;
        try {
            s = AccessLogSettings.parse(props);
        } catch (ConfigProblem p) {
            error(new ConfigReader(props, AccessLogSettings.KEYS).rejected(p, "the access log keeps its settings"));
            return;
        }
        lastGood = operatorKeys(props);
        service.apply(s, CompletableFuture.completedFuture(null));
        try {
            registration.setProperties(properties(s));
        } catch (IllegalStateException e) {
            // unregistered meanwhile: the bundle is stopping
        }
        info("access log " + s.describe());
    }

    @Deactivate
    void deactivate(BundleContext context) {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // gone with the bundle
        }
        if (Handover.frameworkStopping(context)) {
            awaitQuietly(service.close());
            return;
        }
        Map<String, Object> state = new HashMap<>(counters.toHandover());
        AccessLogService s = service;
        state.put("handOver", (Function<AccessLog, CompletableFuture<Void>>) s::handOverTo);
        state.put("settings", lastGood);
        // The writer runs on meanwhile: the HTTP handler keeps logging to this service until the next one binds.
        Handover.leave(context, HANDOVER_KEY, state, UNCLAIMED_MILLIS, () -> awaitQuietly(s.close()));
    }

    private static void awaitQuietly(CompletableFuture<Void> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the writer is stuck on the disk: it is a daemon thread, it goes with the JVM
        }
    }

    private static Dictionary<String, Object> properties(AccessLogSettings s) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put(AccessLog.ENABLED, s.enabled);
        return d;
    }

    private static Map<String, Object> operatorKeys(Map<String, Object> props) {
        Map<String, Object> m = new HashMap<>();
        props.forEach((k, v) -> {
            if (AccessLogSettings.KEYS.contains(k)) {
                m.put(k, v);
            }
        });
        return m;
    }

    private void info(String message) {
        Logger l = log;
        if (l != null) {
            l.info(message);
        }
    }

    private void error(String message) {
        Logger l = log;
        if (l != null) {
            l.error(message);
        }
    }
}
