package io.switchboard.control.impl.lifecycle;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Stops the framework on SIGTERM or Ctrl-C, so that frontends close their listeners and let
 * in-flight requests finish (the launcher itself would just exit).
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
