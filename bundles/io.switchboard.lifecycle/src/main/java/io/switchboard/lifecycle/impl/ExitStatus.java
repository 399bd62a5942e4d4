package io.switchboard.lifecycle.impl;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The exit status of the runtime jar. Its launcher runs a service registered as a {@code Callable}
 * with {@code main.thread=true} on its main thread and exits with what it returns; without one it
 * exits with 117 ("stopped") even after a clean {@code stop 0}. This one returns 0 as soon as the
 * framework begins to stop, so that the launcher stops it in order and then exits with 0. Both the
 * service and the listener are registered through the system bundle, once per run: the launcher's
 * main thread waits in them for the whole run, across any update of this bundle.
 */
@Component(immediate = true)
public class ExitStatus {
    static final String MARKER = "switchboard.exit";

    @Activate
    void activate(BundleContext context) throws InvalidSyntaxException {
        BundleContext system = context.getBundle(0).getBundleContext();
        ServiceReference<?>[] earlier = system.getServiceReferences(Callable.class.getName(), "(" + MARKER + "=true)");
        if (earlier != null && earlier.length > 0) {
            return; // registered by an earlier version of this bundle
        }
        CountDownLatch stopping = new CountDownLatch(1);
        SynchronousBundleListener listener = e -> {
            if (e.getBundle().getBundleId() == 0 && e.getType() == BundleEvent.STOPPING) {
                stopping.countDown();
            }
        };
        system.addBundleListener(listener);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("main.thread", "true");
        props.put(MARKER, "true");
        system.registerService(Callable.class.getName(), new MainThread(stopping), props);
    }

    /** The launcher looks for {@code Integer call()} by reflection: a lambda's erased one would not do. */
    public static final class MainThread implements Callable<Integer> {
        private final CountDownLatch stopping;

        MainThread(CountDownLatch stopping) {
            this.stopping = stopping;
        }

        @Override
        public Integer call() throws InterruptedException {
            stopping.await();
            return 0;
        }
    }
}
