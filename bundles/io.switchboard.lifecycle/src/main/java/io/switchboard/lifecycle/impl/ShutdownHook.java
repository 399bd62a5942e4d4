package io.switchboard.lifecycle.impl;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Stops the platform on SIGTERM or Ctrl-C (the launcher itself would just exit). A framework stop
 * is what every bundle recognises as the end: the transport closes its listeners first and lets
 * requests in flight finish within the grace period, instead of handing over to a next version.
 */
@Component(immediate = true)
public class ShutdownHook {
    private Thread hook;

    @Activate
    void activate(BundleContext context) {
        Framework framework = (Framework) context.getBundle(0);
        hook = new Thread(() -> {
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
