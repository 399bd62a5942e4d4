package io.switchboard.lifecycle.impl;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The components of a bundle that failed to activate: a bundle can be active while its services,
 * the ones the data path needs, never came up (an activation that threw, a class missing). Each
 * service is asked for once, so that delayed components activate now rather than at first use.
 */
final class ComponentFailures {
    private ComponentFailures() {
    }

    /** Why the bundle's components failed, or null when none did (or no component runtime is there to ask). */
    static String of(BundleContext context, Bundle b) {
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return null;
        }
        try {
            List<String> failed = new ArrayList<>();
            List<String> unobtainable = obtainEachService(context, b);
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        failed.add(d.name + ": " + firstLine(c.failure));
                    }
                }
            }
            if (failed.isEmpty()) {
                failed.addAll(unobtainable);
            }
            return failed.isEmpty() ? null : "component " + String.join("; component ", failed);
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * Asks for each service the bundle registered: a delayed component activates only when its
     * service is first used, and would otherwise fail later, in the data path's hands. Returns why
     * the services that could not be created failed (the framework reports it as an error event).
     */
    private static List<String> obtainEachService(BundleContext context, Bundle b) {
        ServiceReference<?>[] refs = b.getRegisteredServices();
        List<String> failed = new ArrayList<>();
        List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
        FrameworkListener errors = e -> {
            if (e.getType() == FrameworkEvent.ERROR && e.getThrowable() != null) {
                reasons.add(String.valueOf(e.getThrowable().getMessage()));
            }
        };
        context.addFrameworkListener(errors);
        try {
            for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                reasons.clear();
                Object s = null;
                try {
                    s = context.getService(r);
                } catch (RuntimeException e) {
                    reasons.add(String.valueOf(e.getMessage()));
                } finally {
                    try {
                        context.ungetService(r);
                    } catch (IllegalStateException e) {
                        // the service went away meanwhile
                    }
                }
                if (s == null) {
                    Object component = r.getProperty("component.name");
                    failed.add((component == null ? "service " + r.getProperty("service.id") : String.valueOf(component))
                            + ": its service could not be created" + (reasons.isEmpty() ? "" : " (" + firstLine(reasons.get(0)) + ")"));
                }
            }
        } finally {
            context.removeFrameworkListener(errors);
        }
        return failed;
    }

    private static String firstLine(String failure) {
        if (failure == null || failure.isBlank()) {
            return "activation failed";
        }
        int nl = failure.indexOf('\n');
        return (nl < 0 ? failure : failure.substring(0, nl)).trim();
    }
}
