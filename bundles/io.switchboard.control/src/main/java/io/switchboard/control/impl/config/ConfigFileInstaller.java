package io.switchboard.control.impl.config;

import io.switchboard.support.config.ConfigReader;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Applies the configuration files FileInstall finds ({@code .cfg}, {@code .config}, {@code .json}),
 * in place of FileInstall's own installer (ranked above it): a file is read once it has stayed the
 * same for {@link #SETTLE_MILLIS}, so a half-written file is never applied, and removed files take
 * their configuration with them once they stay away as long. Files are named as FileInstall names
 * them: {@code PID.ext}, or {@code FACTORYPID-NAME.ext}. A file that cannot be read is rejected
 * with one log line naming it (and the line and column, for JSON); the configuration in force stays.
 * Every settled change is applied, even one that changes nothing: touching a file applies it again.
 */
@Component(service = {ArtifactInstaller.class, ConfigFileInstaller.class}, property = "service.ranking:Integer=1000")
public class ConfigFileInstaller implements ArtifactInstaller, SettlingFiles.Listener {
    static final long SETTLE_MILLIS = 1000;

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private SettlingFiles files;

    @Activate
    void activate() {
        files = new SettlingFiles(SETTLE_MILLIS, this);
    }

    @Deactivate
    void deactivate() {
        files.stop();
    }

    @Override
    public boolean canHandle(File file) {
        String n = file.getName();
        return n.endsWith(".cfg") || n.endsWith(".config") || n.endsWith(".json");
    }

    @Override
    public void install(File file) {
        files.changed(file.toPath());
    }

    @Override
    public void update(File file) {
        files.changed(file.toPath());
    }

    @Override
    public void uninstall(File file) {
        files.changed(file.toPath());
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
                c.updateIfDifferent(props); // looked at, not seen to change
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
