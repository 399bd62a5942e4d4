package io.switchboard.lifecycle.impl;

import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.PlatformUpdates;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code sb:update}: reads the new version first (from a URL, or from where the bundle came, the
 * runtime jar for a built-in bundle), checks that it would resolve, updates, waits for it to start
 * and for the connections the old code served to drain, and reports each step. A version that does
 * not start is rolled back by the {@link UpdateGuard}. Everything it needs it looks up when asked,
 * through the system bundle: it may be updating its own bundle.
 */
@Component(service = PlatformUpdates.class)
public class BundleUpdates implements PlatformUpdates {
    /** How long the new version has to become active. */
    static final long START_MILLIS = 10_000;
    /** How long a report waits for drains beyond their deadline. */
    static final long DRAIN_WAIT_MILLIS = 60_000;

    @Reference
    private UpdateGuard guard;

    private BundleContext system;

    @Activate
    void activate(BundleContext context) {
        system = context.getBundle(0).getBundleContext();
    }

    @Override
    public Map<String, Map<String, Long>> updateCounts() {
        return guard.counts();
    }

    @Override
    public String update(String name, String url) {
        Bundle b = find(name);
        String before = b.getSymbolicName() + " " + b.getVersion();
        byte[] jar;
        try (InputStream in = url == null ? UpdateLocations.open(b.getLocation()) : open(url)) {
            jar = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the new version of " + before + " from "
                    + (url == null ? b.getLocation() : url) + ": " + e.getMessage() + "; nothing changed");
        }
        Manifest m;
        try {
            m = ImportCheck.manifest(jar);
        } catch (IOException e) {
            throw new IllegalArgumentException("the new version of " + before + " is not usable: " + e.getMessage() + "; nothing changed");
        }
        List<String> missing = ImportCheck.unsatisfied(m, system.getBundles(), b);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the new version of " + before + " would not resolve: no bundle exports "
                    + String.join(", ", missing) + "; nothing changed");
        }
        List<String> report = new ArrayList<>();
        long drainsBefore = System.currentTimeMillis();
        long start = System.nanoTime();
        try {
            b.update(new ByteArrayInputStream(jar));
        } catch (BundleException | RuntimeException e) {
            awaitOutcome(b);
            throw new IllegalStateException("update of " + before + " failed: " + e.getMessage() + "; "
                    + (b.getState() == Bundle.ACTIVE ? "the previous version is back and serving" : "the bundle is " + UpdateGuard.state(b)));
        }
        if (!awaitActive(b)) {
            awaitOutcome(b);
            throw new IllegalStateException("update of " + before + " failed: " + String.valueOf(guard.outcome(b.getBundleId())));
        }
        String failed = ComponentFailures.of(system, b);
        if (failed != null) {
            guard.rollBack(b, failed);
            String outcome = String.valueOf(guard.outcome(b.getBundleId()));
            throw new IllegalStateException("update of " + before + " failed: " + failed + "; "
                    + (outcome.startsWith("rolled back") ? "the previous version is back and serving" : outcome));
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        report.add("updated " + before + " -> " + b.getVersion() + " in " + took + " ms");
        report.addAll(drains(drainsBefore));
        return String.join("\n", report);
    }

    private Bundle find(String name) {
        try {
            Bundle b = system.getBundle(Long.parseLong(name.trim()));
            if (b != null) {
                return b;
            }
        } catch (NumberFormatException e) {
            // a symbolic name
        }
        Bundle best = null;
        for (Bundle b : system.getBundles()) {
            if (name.trim().equals(b.getSymbolicName()) && (best == null || b.getVersion().compareTo(best.getVersion()) > 0)) {
                best = b;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no bundle " + name + " (give a symbolic name or an id, see lb)");
        }
        return best;
    }

    private static InputStream open(String url) throws IOException {
        try {
            return new URL(url).openStream();
        } catch (MalformedURLException e) {
            return new File(url).toURI().toURL().openStream(); // a plain path
        }
    }

    private static boolean awaitActive(Bundle b) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
        while (b.getState() != Bundle.ACTIVE && System.nanoTime() < deadline) {
            sleep(20);
        }
        return b.getState() == Bundle.ACTIVE;
    }

    /** Waits for the guard to decide about the update (it rolls a failed one back). */
    private void awaitOutcome(Bundle b) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UpdateGuard.START_CHECK_MILLIS * 3);
        while (guard.outcome(b.getBundleId()) == null && System.nanoTime() < deadline) {
            sleep(50);
        }
    }

    /** The drains the update caused (begun since it started), once they are done or the wait is over. */
    private List<String> drains(long since) {
        sleep(200); // a drain begins as the new version's services come up
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_WAIT_MILLIS);
        List<DrainRecord> mine;
        while (true) {
            mine = new ArrayList<>();
            for (DrainRecord d : drainRecords()) {
                if (d.startedMillis() >= since) {
                    mine.add(d);
                }
            }
            boolean done = mine.stream().allMatch(DrainRecord::done);
            if (done || System.nanoTime() > deadline) {
                break;
            }
            sleep(100);
        }
        if (mine.isEmpty()) {
            lines.add("no connection had to drain");
        }
        for (DrainRecord d : mine) {
            lines.add("drained " + d);
        }
        return lines;
    }

    private List<DrainRecord> drainRecords() {
        ServiceReference<FrontendService> ref = system.getServiceReference(FrontendService.class);
        FrontendService f = ref == null ? null : system.getService(ref);
        if (f == null) {
            return List.of();
        }
        try {
            return f.drains();
        } finally {
            system.ungetService(ref);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
