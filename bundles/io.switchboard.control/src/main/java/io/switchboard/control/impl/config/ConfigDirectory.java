package io.switchboard.control.impl.config;

import java.io.File;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Asks FileInstall to watch the configuration directory ({@code switchboard.conf.dir}, default
 * {@code conf}) besides the plugin directory, so that configuration files are applied when they
 * appear, change or go. The directory is handed to FileInstall only once the platform's own
 * installer is registered: FileInstall gives a file to the best installer there is when it first
 * sees it, and its own would apply files without waiting for them to settle.
 */
@Component
public class ConfigDirectory {
    static final String DIR_PROPERTY = "switchboard.conf.dir";

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference
    private ConfigFileInstaller installer;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Activate
    void activate(BundleContext context) throws Exception {
        String dir = context.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = "conf";
        }
        File d = new File(dir).getAbsoluteFile();
        if (!d.isDirectory() && !d.mkdirs()) {
            log.error("configuration directory " + d + " does not exist and cannot be created");
            return;
        }
        Configuration watcher = configAdmin.getFactoryConfiguration("org.apache.felix.fileinstall", "switchboard-conf", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("felix.fileinstall.dir", d.getPath());
        props.put("felix.fileinstall.filter", ".*\\.(cfg|config|json)");
        props.put("felix.fileinstall.poll", "1000");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "3");
        if (watcher.updateIfDifferent(props)) {
            log.info("watching configuration directory " + d);
        }
    }
}
