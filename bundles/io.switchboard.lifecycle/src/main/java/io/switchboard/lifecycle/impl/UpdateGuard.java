package io.switchboard.lifecycle.impl;

import io.switchboard.support.lifecycle.Handover;
import io.switchboard.support.log.OptionalLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Keeps an update that fails from taking a bundle away: when an active bundle stops (an update
 * begins with a stop) its content is kept, and when the new version then does not start (it does
 * not resolve, or its activation fails) the kept version is installed again, and the reason logged.
 * The data path meanwhile serves with the old version's services, which it keeps as the last ones
 * known good. Works for {@code update} from the shell as well as for {@code sb:update}.
 */
@Component(service = UpdateGuard.class, immediate = true)
public class UpdateGuard {
    static final String HANDOVER_KEY = "io.switchboard.lifecycle.guard";
    /** How long after an update its bundle must be active. */
    static final long START_CHECK_MILLIS = 1500;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;
    private final OptionalLog out = new OptionalLog(() -> log);

    /** The content of each bundle as it was when it last stopped while active, by bundle id. */
    private Map<Long, byte[]> lastGood = new ConcurrentHashMap<>();
    /** Why a bundle failed, from the framework's error events, by bundle id. */
    private final Map<Long, String> failures = new ConcurrentHashMap<>();
    /**
     * Counts the stops and updates of each bundle, by id: a check scheduled for one update is void
     * once the bundle is stopped or updated again (the same bundle may be updated again before
     * its check runs, and must not be rolled back in the middle of that).
     */
    private final Map<Long, Long> generations = new ConcurrentHashMap<>();
    /** Bundles the guard is putting back itself: that update is not checked again (no loop of roll-backs). */
    private final Map<Long, Boolean> rollingBack = new ConcurrentHashMap<>();
    /**
     * How the updates the guard watched ended, by symbolic name and then result (started,
     * rolled_back, failed): counts since the platform started, handed to the next version.
     */
    private ConcurrentHashMap<String, ConcurrentHashMap<String, AtomicLong>> counts = new ConcurrentHashMap<>();
    /** What the guard did about each update it watched, by bundle id (read by sb:update). */
    private final Map<Long, String> outcomes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sb-update-guard");
        t.setDaemon(true);
        return t;
    });
    private BundleContext context;
    private SynchronousBundleListener bundles;
    private FrameworkListener errors;

    @Activate
    @SuppressWarnings("unchecked")
    void activate(BundleContext context) {
        this.context = context;
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        if (left != null) {
            lastGood = (Map<Long, byte[]>) left.get("lastGood");
            Object c = left.get("counts");
            if (c != null) { // a version from before the counts left none
                counts = (ConcurrentHashMap<String, ConcurrentHashMap<String, AtomicLong>>) c;
            }
        }
        bundles = this::bundleChanged;
        errors = this::frameworkEvent;
        context.addBundleListener(bundles);
        context.addFrameworkListener(errors);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        try {
            context.removeBundleListener(bundles);
            context.removeFrameworkListener(errors);
        } catch (IllegalStateException e) {
            // the framework is going
        }
        if (!Handover.frameworkStopping(context)) {
            Handover.leave(context, HANDOVER_KEY, Map.of("lastGood", lastGood, "counts", counts));
        }
    }

    private void bundleChanged(BundleEvent e) {
        Bundle b = e.getBundle();
        if (b.getBundleId() == 0 || Handover.frameworkStopping(context)) {
            return;
        }
        switch (e.getType()) {
            case BundleEvent.STOPPING:
                generations.merge(b.getBundleId(), 1L, Long::sum);
                // a version being rolled back (active, its components failed) is not one to go back to
                if (!rollingBack.containsKey(b.getBundleId()) && (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) == 0) {
                    try {
                        lastGood.put(b.getBundleId(), content(b));
                    } catch (IOException | RuntimeException x) {
                        lastGood.remove(b.getBundleId());
                    }
                }
                break;
            case BundleEvent.UPDATED:
                long generation = generations.merge(b.getBundleId(), 1L, Long::sum);
                if (lastGood.containsKey(b.getBundleId()) && !rollingBack.containsKey(b.getBundleId()) && meantToRun(b)) {
                    outcomes.remove(b.getBundleId());
                    failures.remove(b.getBundleId());
                    timer.schedule(() -> check(b, generation), START_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                }
                break;
            case BundleEvent.UNINSTALLED:
                lastGood.remove(b.getBundleId());
                generations.remove(b.getBundleId());
                break;
            default:
                break;
        }
    }

    private void frameworkEvent(FrameworkEvent e) {
        if (e.getType() == FrameworkEvent.ERROR && e.getBundle() != null && e.getThrowable() != null) {
            Throwable t = e.getThrowable();
            failures.put(e.getBundle().getBundleId(), String.valueOf(t.getMessage() == null ? t : t.getMessage()));
        }
    }

    /** The updated bundle should be active by now; if not, the version it had goes back. */
    private void check(Bundle b, long generation) {
        if (generations.getOrDefault(b.getBundleId(), 0L) != generation) {
            return; // stopped or updated again since: that update has a check of its own
        }
        int state = b.getState();
        if (state == Bundle.STOPPING) {
            return; // being stopped or updated again right now: that is someone else's decision
        }
        if (state == Bundle.ACTIVE) {
            String failed = ComponentFailures.of(context, b);
            if (failed != null) {
                rollBack(b, failed);
                return;
            }
        }
        if (state == Bundle.ACTIVE || state == Bundle.STARTING || state == Bundle.UNINSTALLED) {
            count(b, "started");
            outcomes.put(b.getBundleId(), "started");
            return;
        }
        rollBack(b, failures.getOrDefault(b.getBundleId(), "it did not start (state " + state(b) + ")"));
    }

    /**
     * Whether the bundle should be running: an update of an active bundle keeps it marked as
     * started, a bundle an operator stopped (and then updated) is not, and is left as it is.
     */
    private static boolean meantToRun(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level == null || level.isPersistentlyStarted();
    }

    /** Installs the version the bundle had before its update again, and starts it. */
    void rollBack(Bundle b, String why) {
        byte[] good = lastGood.get(b.getBundleId());
        if (good == null) {
            count(b, "failed");
            outcomes.put(b.getBundleId(), "failed: " + why + "; no earlier version to go back to");
            out.error("update of " + b.getSymbolicName() + " failed: " + why + "; no earlier version to go back to");
            return;
        }
        rollingBack.put(b.getBundleId(), true);
        try {
            b.update(new ByteArrayInputStream(good));
            if (b.getState() != Bundle.ACTIVE) {
                b.start(Bundle.START_TRANSIENT);
            }
            count(b, "rolled_back");
            outcomes.put(b.getBundleId(), "rolled back: " + why);
            out.error("update of " + b.getSymbolicName() + " failed: " + why + "; the previous version " + b.getVersion()
                    + " is back and serving");
        } catch (BundleException | RuntimeException x) {
            count(b, "failed");
            outcomes.put(b.getBundleId(), "failed: " + why + "; rolling back failed too: " + x.getMessage());
            out.error("update of " + b.getSymbolicName() + " failed: " + why + "; rolling back failed too: " + x);
        } finally {
            rollingBack.remove(b.getBundleId());
        }
    }

    private void count(Bundle b, String result) {
        String name = String.valueOf(b.getSymbolicName());
        counts.computeIfAbsent(name, n -> new ConcurrentHashMap<>()).computeIfAbsent(result, r -> new AtomicLong()).incrementAndGet();
    }

    /** Updates watched so far, by symbolic name and result. */
    Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        counts.forEach((name, byResult) -> {
            Map<String, Long> m = new TreeMap<>();
            byResult.forEach((r, n) -> m.put(r, n.get()));
            out.put(name, m);
        });
        return out;
    }

    /** What happened to the latest update of the bundle: null while it is being checked. */
    String outcome(long bundleId) {
        return outcomes.get(bundleId);
    }

    /** The bundle's current revision as a jar: its manifest first, then every entry. */
    static byte[] content(Bundle b) throws IOException {
        URL manifest = b.getEntry("META-INF/MANIFEST.MF");
        if (manifest == null) {
            throw new IOException("no manifest");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (InputStream m = manifest.openStream(); JarOutputStream jar = new JarOutputStream(bytes, new Manifest(m))) {
            List<String> paths = new ArrayList<>();
            collect(b, "/", paths);
            byte[] buffer = new byte[16384];
            for (String path : paths) {
                if (path.equals("META-INF/MANIFEST.MF") || path.equals("META-INF/")) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(path));
                if (!path.endsWith("/")) {
                    try (InputStream in = b.getEntry(path).openStream()) {
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            jar.write(buffer, 0, n);
                        }
                    }
                }
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void collect(Bundle b, String dir, List<String> out) {
        Enumeration<String> e = b.getEntryPaths(dir);
        while (e != null && e.hasMoreElements()) {
            String p = e.nextElement();
            out.add(p);
            if (p.endsWith("/")) {
                collect(b, p, out);
            }
        }
    }

    static String state(Bundle b) {
        switch (b.getState()) {
            case Bundle.INSTALLED: return "installed, not resolved";
            case Bundle.RESOLVED: return "resolved, not started";
            case Bundle.STARTING: return "starting";
            case Bundle.STOPPING: return "stopping";
            case Bundle.ACTIVE: return "active";
            default: return "uninstalled";
        }
    }

}
