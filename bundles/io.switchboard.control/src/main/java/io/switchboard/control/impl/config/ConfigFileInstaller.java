package io.switchboard.control.impl.config;

import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Watches the configuration directory ({@code switchboard.conf.dir}, default {@code conf}) and
 * applies its files ({@code .cfg}, {@code .config}, {@code .json}) to Config Admin: a file is read
 * once it has stayed the same for {@link #SETTLE_MILLIS}, so a half-written file is never applied,
 * and removed files take their configuration with them once they stay away as long. Files are named
 * as FileInstall names them: {@code PID.ext}, or {@code FACTORYPID-NAME.ext}. A file that cannot be
 * read is rejected with one log line naming it (and the line and column, for JSON); the
 * configuration in force stays. Every settled change is applied, even one that changes nothing:
 * touching a file applies it again.
 * <p>
 * The directory is this component's alone, not FileInstall's: FileInstall hands a file that changes
 * while this bundle is being updated to its own installer, which applies it unsettled and keeps it
 * from then on. Instead each version passes on to the next what it saw of the directory and the
 * files still settling ({@link ConfigFolder}), so that every change is applied exactly once, across
 * updates and refreshes: one made just before the update, or while no version ran, included.
 */
@Component(service = {}, immediate = true)
public class ConfigFileInstaller implements SettlingFiles.Listener {
    static final long SETTLE_MILLIS = 1000;
    static final long POLL_MILLIS = 1000;
    static final String DIR_PROPERTY = "switchboard.conf.dir";
    static final String HANDOVER_KEY = "io.switchboard.control.conf";
    /** The FileInstall watcher of the directory that versions before this one configured. */
    static final String FILEINSTALL_WATCHER = "org.apache.felix.fileinstall~switchboard-conf";

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private BundleContext context;
    private ConfigFolder folder;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        String d = context.getProperty(DIR_PROPERTY);
        Path dir = Path.of(d == null || d.isBlank() ? "conf" : d).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.error("configuration directory " + dir + " does not exist and cannot be created: " + e);
        }
        stopFileInstallWatcher();
        Map<String, Object> left = Handover.take(context, HANDOVER_KEY);
        folder = new ConfigFolder(dir, POLL_MILLIS, SETTLE_MILLIS, this, left, configuredFrom(dir));
        if (left == null) {
            log.info("watching configuration directory " + dir);
        }
    }

    @Deactivate
    void deactivate() {
        Map<String, Object> state = folder.stop();
        if (!Handover.frameworkStopping(context)) {
            Handover.leave(context, HANDOVER_KEY, state);
        }
    }

    /** An earlier version had FileInstall watch the directory: that watcher would now apply files unsettled. */
    private void stopFileInstallWatcher() {
        try {
            Configuration[] watcher = configAdmin.listConfigurations("(service.pid=" + FILEINSTALL_WATCHER + ")");
            for (Configuration c : watcher == null ? new Configuration[0] : watcher) {
                c.delete();
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            log.warn("FileInstall's watcher of the configuration directory not removed: " + e);
        }
    }

    /** The files in the directory that configurations in force came from. */
    private Set<Path> configuredFrom(Path dir) {
        Set<Path> files = new HashSet<>();
        try {
            Configuration[] all = configAdmin.listConfigurations("(" + ConfigReader.FILENAME + "=*)");
            for (Configuration c : all == null ? new Configuration[0] : all) {
                Dictionary<String, Object> props = c.getProperties();
                Object name = props == null ? null : props.get(ConfigReader.FILENAME);
                try {
                    Path file = Path.of(URI.create(String.valueOf(name))).toAbsolutePath().normalize();
                    if (dir.equals(file.getParent())) {
                        files.add(file);
                    }
                } catch (RuntimeException notAFile) {
                    // a configuration named after something else
                }
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            log.warn("configurations from files not listed (one whose file went while this bundle was stopped stays): " + e);
        }
        return files;
    }

    @Override
    public void settled(Path file, byte[] content, boolean onlyIfDifferent) {
        String source = ConfigReader.display(file);
        Hashtable<String, Object> props;
        try {
            props = ConfigFileFormat.read(file.getFileName().toString(), content);
        } catch (ConfigSyntaxError e) {
            log.error("config rejected: " + source + ": " + e.getMessage() + "; the configuration in force stays");
            return;
        }
        props.put(ConfigReader.FILENAME, file.toUri().toString());
        try {
            Configuration c = configuration(file.toFile());
            if (onlyIfDifferent) {
                c.updateIfDifferent(props); // looked at after a start, not seen to change
            } else {
                c.update(props);
            }
        } catch (IOException | RuntimeException e) {
            log.error("config not applied: " + source + ": " + e);
        }
    }

    @Override
    public void gone(Path file) {
        try {
            Configuration c = configuration(file.toFile());
            if (c.getProperties() != null) {
                log.info(ConfigReader.display(file) + " is gone: configuration " + c.getPid() + " deleted");
            }
            c.delete();
        } catch (IOException | RuntimeException e) {
            log.error("configuration of " + ConfigReader.display(file) + " not deleted: " + e);
        }
    }

    @Override
    public void unreadable(Path file, IOException e) {
        log.error("config rejected: " + ConfigReader.display(file) + ": cannot read: " + e.getMessage() + "; the configuration in force stays");
    }

    private Configuration configuration(File file) throws IOException {
        String[] pid = ConfigNames.pid(file);
        return pid[1] == null
                ? configAdmin.getConfiguration(pid[0], "?")
                : configAdmin.getFactoryConfiguration(pid[0], pid[1], "?");
    }
}
