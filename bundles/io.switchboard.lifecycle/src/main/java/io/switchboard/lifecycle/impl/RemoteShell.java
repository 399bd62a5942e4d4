package io.switchboard.lifecycle.impl;

import io.switchboard.support.log.OptionalLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The remote (telnet) Gogo shell, off unless asked for with {@code -Dswitchboard.telnet.port=N}. It
 * has no authentication, so it only ever binds the loopback address; a port in use is one log line
 * and the shell stays off. The shell's bundle sits above the framework's start level, so that the
 * launcher never starts it by itself.
 */
@Component(immediate = true)
public class RemoteShell {
    static final String PORT = "switchboard.telnet.port";
    static final String BUNDLE = "org.apache.felix.shell.remote";

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;
    private final OptionalLog out = new OptionalLog(() -> log);

    private BundleContext context;
    private int port;
    private ServiceListener goshListener;
    private final AtomicBoolean started = new AtomicBoolean();

    @Activate
    void activate(BundleContext context) {
        String wanted = context.getProperty(PORT);
        if (wanted == null || wanted.isBlank()) {
            return;
        }
        int port;
        try {
            port = Integer.parseInt(wanted.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            out.error("remote shell not started: " + PORT + "=" + wanted + " is not a port (1..65535)");
            return;
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(loopback, port));
        } catch (IOException e) {
            out.error("remote shell not started: port " + port + " on " + loopback.getHostAddress() + " is in use");
            return;
        }
        this.context = context;
        this.port = port;
        // A telnet session runs the Gogo shell's gosh command: the remote shell starts once it is there.
        String gosh = "(&(osgi.command.scope=gogo)(osgi.command.function=gosh))";
        goshListener = e -> {
            if (e.getType() == ServiceEvent.REGISTERED) {
                startOnce();
            }
        };
        try {
            context.addServiceListener(goshListener, gosh);
            if (context.getServiceReferences((String) null, gosh) != null) {
                startOnce();
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Deactivate
    void deactivate() {
        if (goshListener != null) {
            try {
                context.removeServiceListener(goshListener);
            } catch (IllegalStateException e) {
                // the framework is going
            }
        }
    }

    private void startOnce() {
        if (started.getAndSet(true)) {
            return;
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (Bundle b : context.getBundles()) {
            if (BUNDLE.equals(b.getSymbolicName())) {
                // The shell bundle reads these framework properties when it starts: loopback only.
                System.setProperty("osgi.shell.telnet.ip", loopback.getHostAddress());
                System.setProperty("osgi.shell.telnet.port", String.valueOf(port));
                try {
                    b.adapt(BundleStartLevel.class).setStartLevel(1);
                    b.start(Bundle.START_TRANSIENT);
                    out.info("remote shell on " + loopback.getHostAddress() + ":" + port + " (telnet, no authentication: loopback only)");
                } catch (BundleException | RuntimeException e) {
                    out.error("remote shell not started: " + e.getMessage());
                }
                return;
            }
        }
        out.error("remote shell not started: bundle " + BUNDLE + " is not installed");
    }
}
