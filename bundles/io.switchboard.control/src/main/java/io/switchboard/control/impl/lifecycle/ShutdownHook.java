package io.switchboard.control.impl.lifecycle;

import io.switchboard.api.runtime.FrontendService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Stops the platform on SIGTERM or Ctrl-C (the launcher itself would just exit): first the bundle
 * that owns the frontends, so listeners close and in-flight requests finish while logging still
 * works, then the whole framework.
 */
@Component(immediate = true)
public class ShutdownHook {
    /** Time the asynchronous OSGi log gets to print what the frontends said while draining. */
    private static final long LOG_FLUSH_MILLIS = 200;

    private Thread hook;

    @Activate
    void activate(BundleContext context) {
        Framework framework = (Framework) context.getBundle(0);
        hook = new Thread(() -> {
            try {
                ServiceReference<FrontendService> ref = context.getServiceReference(FrontendService.class);
                if (ref != null && ref.getBundle() != null) {
                    ref.getBundle().stop(Bundle.STOP_TRANSIENT);
                    Thread.sleep(LOG_FLUSH_MILLIS);
                }
            } catch (BundleException | IllegalStateException e) {
                // Already stopping: go on with the framework.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                framework.stop();
                framework.waitForStop(30_000);
            } catch (BundleException | InterruptedException | IllegalStateException e) {
                // The JVM is going down either way.
            }
        }, "switchboard-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running.
        }
    }
}
