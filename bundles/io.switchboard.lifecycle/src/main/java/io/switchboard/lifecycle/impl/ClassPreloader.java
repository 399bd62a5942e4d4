package io.switchboard.lifecycle.impl;

import java.net.URL;
import java.util.Enumeration;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Loads every class of a Switchboard bundle (platform or plugin) as it starts. Code of an old
 * version keeps running after an update: connections drain on it, a listener accepts with it until
 * the new version takes over. Once the old version is refreshed the framework discards its class
 * loader, and a class it had not loaded by then can no longer be loaded: the connection that needed
 * it would fail. Loading them all up front (a few milliseconds, while the bundle starts) closes that.
 */
@Component(immediate = true)
public class ClassPreloader {
    private BundleContext context;
    private SynchronousBundleListener listener;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        listener = e -> {
            if (e.getType() == BundleEvent.STARTED) {
                preload(e.getBundle());
            }
        };
        context.addBundleListener(listener);
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE) {
                preload(b);
            }
        }
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(listener);
        } catch (IllegalStateException e) {
            // the framework is going
        }
    }

    /** Loads the bundle's own classes, if it builds on the Switchboard API; returns how many. */
    static int preload(Bundle b) {
        if (!buildsOnTheApi(b)) {
            return 0;
        }
        int loaded = 0;
        Enumeration<URL> classes = b.findEntries("/", "*.class", true);
        while (classes != null && classes.hasMoreElements()) {
            String path = classes.nextElement().getPath();
            String name = path.substring(path.startsWith("/") ? 1 : 0, path.length() - ".class".length()).replace('/', '.');
            if (name.endsWith("package-info") || name.endsWith("module-info")) {
                continue;
            }
            try {
                b.loadClass(name);
                loaded++;
            } catch (ClassNotFoundException | LinkageError | IllegalStateException e) {
                // a class that cannot load now (an optional import missing) would not load later either
            }
        }
        return loaded;
    }

    private static boolean buildsOnTheApi(Bundle b) {
        if (b.getBundleId() == 0 || "io.switchboard.api".equals(b.getSymbolicName())) {
            return false;
        }
        String imports = b.getHeaders("").get(Constants.IMPORT_PACKAGE);
        return imports != null && imports.contains("io.switchboard.api");
    }
}
