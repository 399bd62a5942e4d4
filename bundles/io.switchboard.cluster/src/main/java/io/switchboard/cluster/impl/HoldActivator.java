package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.ListenerHold;
import java.nio.file.Path;
import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the {@link ListenerHold} when the bundle starts, before any component and before the
 * control bundle (which starts after this one) reads {@code conf/}: a component would only be
 * activated once its configuration arrives, which is too late, as the frontends' configurations
 * arrive at the same moment. The hold is held when the dispatcher cluster's file turns it on and
 * this is a fresh start (not an update of this bundle: then the listeners are open already).
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class HoldActivator implements BundleActivator {
    /** The hold of this bundle's life; the dispatcher component releases it. */
    static volatile StartHold current = StartHold.releasedAlready();
    private ServiceRegistration<ListenerHold> registration;

    @Override
    public void start(BundleContext context) {
        StartHold h = new StartHold();
        if (handedOver(context) || !StartHold.enabledIn(confDir(context))) {
            h.release();
        }
        current = h;
        registration = context.registerService(ListenerHold.class, h, null);
    }

    @Override
    public void stop(BundleContext context) {
        current.release();
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // gone with the bundle
        }
    }

    /** Whether a previous version of this bundle left its table: this start is an update, not a fresh start. */
    private static boolean handedOver(BundleContext context) {
        try {
            return context.getBundle(0).getBundleContext().getServiceReferences(java.util.Map.class.getName(),
                    "(" + io.switchboard.support.lifecycle.Handover.PROPERTY + "=" + DispatcherComponent.HANDOVER_KEY + ")") != null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path confDir(BundleContext context) {
        String d = context.getProperty("switchboard.conf.dir");
        return Path.of(d == null || d.isBlank() ? "conf" : d);
    }
}
