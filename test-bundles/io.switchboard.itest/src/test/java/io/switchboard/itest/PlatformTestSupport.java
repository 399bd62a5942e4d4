package io.switchboard.itest;

import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendStatus;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/** Boots Felix with the platform's real bundles; helpers to configure it and wait for it. */
public abstract class PlatformTestSupport {
    @Inject
    protected BundleContext context;

    @Inject
    protected ConfigurationAdmin configAdmin;

    @Inject
    protected FrontendService frontends;

    @Inject
    protected LogReaderService logReader;

    protected final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener logListener = entry -> log.add(entry.getMessage());

    @Configuration
    public Option[] config() throws IOException {
        List<Option> bundles = new ArrayList<>();
        for (String path : System.getProperty("sb.bundles").split(",")) {
            UrlProvisionOption b = bundle(new File(path.trim()).toURI().toString());
            bundles.add(path.contains("linux-x86_64") ? b.noStart() : b); // a fragment is never started
        }
        File work = Files.createTempDirectory("sb-itest").toFile();
        return options(
                frameworkProperty("switchboard.conf.dir").value(new File(work, "conf").getPath()),
                frameworkProperty("felix.fileinstall.dir").value(new File(work, "plugins").getPath()),
                // As in the runtime: configurations are never written back into their files.
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"),
                frameworkProperty("sb.plugin.random").value(System.getProperty("sb.plugin.random")),
                frameworkProperty("sb.plugin.classifier").value(System.getProperty("sb.plugin.classifier")),
                frameworkProperty("sb.plugin.hello").value(System.getProperty("sb.plugin.hello")),
                composite(bundles.toArray(new Option[0])),
                junitBundles(),
                cleanCaches(true));
    }

    protected void listenToLog() {
        logReader.addLogListener(logListener);
    }

    protected void stopListeningToLog() {
        logReader.removeLogListener(logListener);
    }

    /** Runs a Gogo command as an operator would and returns what it printed and returned. */
    protected static String shell(CommandProcessor commands, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = commands.createSession(System.in, ps, ps);
        Object result = session.execute(command);
        session.close();
        return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : result.toString());
    }

    protected static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    protected org.osgi.service.cm.Configuration configure(String factoryPid, String name, Object... keyValues) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(factoryPid, name, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        c.update(props);
        return c;
    }

    protected FrontendStatus frontend(String name) {
        for (FrontendStatus s : frontends.frontends()) {
            if (s.spec().name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Waits until the frontend listens and returns its port. */
    protected int awaitListening(String name) throws InterruptedException {
        await("frontend " + name + " to listen", () -> frontend(name) != null && frontend(name).listening());
        return frontend(name).boundPort();
    }

    /** Installs and starts a plugin bundle whose path is in the framework property. */
    protected org.osgi.framework.Bundle installPlugin(String property) throws Exception {
        org.osgi.framework.Bundle b = context.installBundle(new File(context.getProperty(property)).toURI().toString());
        b.start();
        return b;
    }

    protected void awaitLog(String fragment) throws InterruptedException {
        await("a log line containing '" + fragment + "' (log: " + log + ")", () -> log.stream().anyMatch(l -> l.contains(fragment)));
    }
}
