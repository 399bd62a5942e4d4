package io.switchboard.lifecycle.impl;

import io.switchboard.support.log.OptionalLog;
import java.io.File;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Creates the watched plugins directory when it is missing (a runtime started in an empty
 * directory), before FileInstall starts watching it one start level later: a missing directory
 * would otherwise be a warning at every start, and a plugin dropped there later never seen.
 */
@Component(immediate = true)
public class PluginsDirectory {
    static final String DIR = "felix.fileinstall.dir";

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    @Activate
    void activate(BundleContext context) {
        String dir = context.getProperty(DIR);
        if (dir == null || dir.isBlank() || dir.contains(",")) {
            return;
        }
        File d = new File(dir.trim()).getAbsoluteFile();
        if (d.isDirectory()) {
            return;
        }
        OptionalLog out = new OptionalLog(() -> log);
        if (d.mkdirs()) {
            out.info("created " + d + ": plugin bundles dropped there are installed and started");
        } else {
            out.error("plugins directory " + d + " does not exist and cannot be created: plugins can only be installed from the shell");
        }
    }
}
