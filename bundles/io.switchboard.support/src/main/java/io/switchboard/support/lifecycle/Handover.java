package io.switchboard.support.lifecycle;

import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Passes a component's state to its next version across a bundle update or refresh. The leaving
 * version registers the state through the system bundle, so that the registration outlives its own
 * bundle; the next version takes it when it activates. The state is a map of JDK, Netty and API
 * types only (an implementation class of the old version cannot be cast by the new one), and its
 * mutable parts are shared containers: whatever old code still runs (a connection's close listener,
 * say) and the new version then update the same objects.
 */
public final class Handover {
    /** Service property naming what the state is for. */
    public static final String PROPERTY = "switchboard.handover";
    private static final String REGISTRATION = "handover.registration";
    private static final String CLAIMED = "handover.claimed";

    private Handover() {
    }

    /**
     * Leaves state under the key. When nobody takes it within the time (the bundle was stopped, not
     * updated), {@code whenLeftOver} runs (on a thread of its own) and the state is withdrawn.
     */
    public static void leave(BundleContext context, String key, Map<String, Object> state, long timeoutMillis, Runnable whenLeftOver) {
        Map<String, Object> left = new ConcurrentHashMap<>(state);
        AtomicBoolean claimed = new AtomicBoolean();
        left.put(CLAIMED, claimed);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PROPERTY, key);
        BundleContext system = context.getBundle(0).getBundleContext();
        ServiceRegistration<?> reg = system.registerService(Map.class.getName(), left, props);
        left.put(REGISTRATION, reg);
        if (whenLeftOver != null) {
            // The JDK's shared delay scheduler waits, not a thread per hand-over (a bundle updated a
            // hundred times would leave a hundred sleeping threads); only a state nobody took gets a
            // thread, for what it has to close may block.
            Executor ownThread = r -> {
                Thread t = new Thread(r, "sb-handover-" + key);
                t.setDaemon(true);
                t.start();
            };
            CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS, ownThread).execute(() -> {
                if (claimed.compareAndSet(false, true)) {
                    unregister(reg);
                    whenLeftOver.run();
                }
            });
        }
    }

    /** Leaves state under the key for as long as nobody takes it. */
    public static void leave(BundleContext context, String key, Map<String, Object> state) {
        leave(context, key, state, 0, null);
    }

    /** Takes what an earlier version left under the key, or null when nothing (or only expired state) is there. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> take(BundleContext context, String key) {
        BundleContext system = context.getBundle(0).getBundleContext();
        Collection<ServiceReference<Map>> refs;
        try {
            refs = system.getServiceReferences(Map.class, "(" + PROPERTY + "=" + key + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad hand-over key " + key, e);
        }
        Map<String, Object> newest = null;
        long newestId = -1;
        for (ServiceReference<Map> ref : refs) {
            Map<String, Object> state = system.getService(ref);
            system.ungetService(ref);
            if (state == null || !((AtomicBoolean) state.get(CLAIMED)).compareAndSet(false, true)) {
                continue;
            }
            unregister((ServiceRegistration<?>) state.get(REGISTRATION));
            long id = (Long) ref.getProperty("service.id");
            if (id > newestId) {
                newest = state;
                newestId = id;
            }
        }
        if (newest != null) {
            newest.remove(CLAIMED);
            newest.remove(REGISTRATION);
        }
        return newest;
    }

    /** Whether the whole framework is stopping: then nobody will take what a component leaves. */
    public static boolean frameworkStopping(BundleContext context) {
        try {
            return context.getBundle(0).getState() == Bundle.STOPPING;
        } catch (IllegalStateException e) {
            return true; // the context is no longer valid: this bundle is gone
        }
    }

    private static void unregister(ServiceRegistration<?> reg) {
        if (reg == null) {
            return;
        }
        try {
            reg.unregister();
        } catch (IllegalStateException e) {
            // already gone with the framework
        }
    }
}
