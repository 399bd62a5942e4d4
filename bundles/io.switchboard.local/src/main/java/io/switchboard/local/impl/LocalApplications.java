package io.switchboard.local.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.local.LocalApplication;
import io.switchboard.support.log.OptionalLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The pseudo-network interface: every {@link LocalApplication} service with a valid
 * {@link LocalApplication#NAME} gets a local server at {@code LocalAddress(NAME)}, which cluster
 * endpoints {@code local:NAME} connect to. Several services under one name: the highest ranking
 * serves, the next takes over without the server going away. The last one gone unbinds the server,
 * and connections to the name are refused from then on, as a stopped back-end's are.
 *
 * <p>Threads: the server side of local connections runs on one thread ({@code sb-local}); the
 * applications run on a small pool ({@code sb-local-app-N}, {@link #CALLERS} threads, {@link #QUEUE}
 * requests waiting, beyond that 503), never on a switching loop.
 */
@Component(service = {}, immediate = true)
public class LocalApplications {
    static final int CALLERS = 4;
    static final int QUEUE = 256;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger logger;

    private final OptionalLog log = new OptionalLog(() -> logger);
    private final Map<String, List<Registered>> byName = new HashMap<>();
    /** What a request to a name reaches now; read by the server thread for every request. */
    private final Map<String, LocalApplication> serving = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor callers = callerPool();
    private final LocalServers servers = new LocalServers(serving::get, callers, new FailureLog(log::warn));

    private static final class Registered {
        final LocalApplication app;
        final long id;
        final int ranking;

        Registered(LocalApplication app, long id, int ranking) {
            this.app = app;
            this.id = id;
            this.ranking = ranking;
        }
    }

    private static ThreadPoolExecutor callerPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(CALLERS, CALLERS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "sb-local-app-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addApplication(LocalApplication app, ServiceReference<LocalApplication> ref) {
        Object name = ref.getProperty(LocalApplication.NAME);
        if (!(name instanceof String) || !Endpoint.isLocalName((String) name)) {
            log.warn("local application service " + ref.getProperty(Constants.SERVICE_ID) + " from " + bundle(ref) + " ignored: "
                    + LocalApplication.NAME + " is " + (name == null ? "missing" : "'" + name + "', not a name (letters, digits, . _ -)"));
            return;
        }
        Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
        add((String) name, new Registered(app, (Long) ref.getProperty(Constants.SERVICE_ID), ranking instanceof Integer ? (Integer) ranking : 0),
                bundle(ref));
    }

    void removeApplication(LocalApplication app, ServiceReference<LocalApplication> ref) {
        Object name = ref.getProperty(LocalApplication.NAME);
        if (name instanceof String) {
            remove((String) name, app);
        }
    }

    private synchronized void add(String name, Registered r, String from) {
        List<Registered> all = byName.computeIfAbsent(name, n -> new ArrayList<>());
        all.add(r);
        all.sort(Comparator.comparingInt((Registered x) -> -x.ranking).thenComparingLong(x -> x.id));
        serving.put(name, all.get(0).app);
        if (!servers.isOpen(name)) {
            try {
                servers.open(name);
                log.info("local application " + name + " from " + from + " is reachable as local:" + name);
            } catch (Exception e) {
                log.error("local application " + name + " from " + from + " cannot be served: " + e);
            }
        }
    }

    private synchronized void remove(String name, LocalApplication app) {
        List<Registered> all = byName.get(name);
        if (all == null || !all.removeIf(r -> r.app == app)) {
            return;
        }
        if (all.isEmpty()) {
            byName.remove(name);
            serving.remove(name);
            servers.close(name);
            log.info("local application " + name + " went away: connections to local:" + name + " are refused");
        } else {
            serving.put(name, all.get(0).app);
        }
    }

    private static String bundle(ServiceReference<?> ref) {
        return ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName();
    }

    @Deactivate
    void deactivate() {
        servers.stop();
        callers.shutdown();
    }
}
