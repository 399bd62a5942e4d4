package io.switchboard.control.impl.config;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Lets FileInstall apply configuration files written in JSON ({@code .json}, or {@code .config}
 * whose text is a JSON object), named like FileInstall's {@code .cfg} files: {@code PID.json} or
 * {@code FACTORYPID-NAME.json}. A file that does not parse is rejected with one log line naming the
 * file, line and column, and the configuration in force stays.
 */
@Component(property = "service.ranking:Integer=1000")
public class JsonConfigInstaller implements ArtifactInstaller {

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Override
    public boolean canHandle(File file) {
        String n = file.getName();
        if (n.endsWith(".json")) {
            return true;
        }
        if (!n.endsWith(".config")) {
            return false;
        }
        try {
            String text = Files.readString(file.toPath(), StandardCharsets.UTF_8).stripLeading();
            return text.startsWith("{") || text.startsWith("\uFEFF{");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void install(File file) throws Exception {
        update(file);
    }

    @Override
    public void update(File file) throws Exception {
        String source = ConfigReader.display(file.toPath());
        Map<String, Object> values;
        try {
            values = JsonConfigParser.parse(Files.readString(file.toPath(), StandardCharsets.UTF_8));
        } catch (ConfigSyntaxError e) {
            log.error("config rejected: " + source + ": " + e.getMessage() + "; the configuration in force stays");
            return;
        } catch (IOException e) {
            log.error("config rejected: " + source + ": cannot read: " + e.getMessage());
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        values.forEach(props::put);
        props.put(ConfigReader.FILENAME, file.toURI().toString());
        Configuration config = configuration(file);
        config.updateIfDifferent(props);
    }

    @Override
    public void uninstall(File file) throws Exception {
        configuration(file).delete();
    }

    private Configuration configuration(File file) throws IOException {
        String[] pid = ConfigNames.pid(file);
        return pid[1] == null
                ? configAdmin.getConfiguration(pid[0], "?")
                : configAdmin.getFactoryConfiguration(pid[0], pid[1], "?");
    }
}
