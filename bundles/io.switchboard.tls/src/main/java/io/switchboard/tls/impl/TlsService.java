package io.switchboard.tls.impl;

import io.netty.channel.Channel;
import io.netty.handler.ssl.NotSslRecordException;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.tls.TlsBinding;
import io.switchboard.api.tls.TlsTermination;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.log.Throttled;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * TLS termination for the transport: readies each frontend's certificates, watches their files
 * (once a second; a change is loaded once it has held still for a look), and logs failed
 * handshakes once per burst per frontend. Keeps no state a next version would need: the transport
 * binds every TLS frontend again with the new service, and the old bindings' connections drain.
 */
@Component(service = {TlsTermination.class, TlsService.class})
public class TlsService implements TlsTermination {
    /** Run property: {@code jdk} uses the JDK's TLS engine even where OpenSSL loads (tests, comparisons). */
    static final String ENGINE_PROPERTY = "switchboard.tls.engine";

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private volatile Engine engine;
    private ScheduledExecutorService watcher;
    private final List<WeakReference<LiveCertificates>> watched = new CopyOnWriteArrayList<>();
    private final Map<String, Throttled> failureLogs = new ConcurrentHashMap<>();
    private Consumer<String> standaloneLog;

    @Activate
    void activate() {
        start();
    }

    /** A service outside a framework (tests): log lines go to {@code out}. */
    public static TlsService standalone(Consumer<String> out) {
        TlsService s = new TlsService();
        s.standaloneLog = out;
        s.start();
        return s;
    }

    private void start() {
        engine = Engine.pick("jdk".equalsIgnoreCase(System.getProperty(ENGINE_PROPERTY)));
        if (engine.fallbackReason != null) {
            warn("TLS engine jdk (fallback): " + engine.fallbackReason);
        } else {
            info("TLS engine " + engine.name());
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sb-tls-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::look, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    public void deactivate() {
        watcher.shutdownNow();
    }

    Engine engine() {
        return engine;
    }

    @Override
    public Map<String, String> options() {
        return TlsSettings.OPTIONS;
    }

    @Override
    public boolean enabled(Map<String, String> options) {
        return TlsSettings.enabled(options);
    }

    @Override
    public TlsBinding bind(FrontendSpec frontend) {
        try {
            TlsSettings s = TlsSettings.parse(frontend.name(), frontend.protocol(), frontend.options());
            CertificateSet set = CertificateSet.load(s, engine);
            LiveCertificates live = new LiveCertificates(s, set, this);
            watched.add(new WeakReference<>(live));
            info("frontend " + frontend.name() + ": TLS " + String.join(", ", s.protocols) + " on " + engine.name()
                    + (s.alpn.isEmpty() ? "" : ", ALPN " + String.join(", ", s.alpn)) + "; " + String.join("; ", set.descriptions));
            return live;
        } catch (ConfigProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
    }

    /** The TLS frontends bound now (for the shell). */
    List<LiveCertificates> bound() {
        List<LiveCertificates> out = new ArrayList<>();
        for (WeakReference<LiveCertificates> w : watched) {
            LiveCertificates l = w.get();
            if (l != null && !l.closed()) {
                out.add(l);
            }
        }
        return out;
    }

    private void look() {
        for (WeakReference<LiveCertificates> w : watched) {
            LiveCertificates l = w.get();
            if (l == null || l.closed()) {
                watched.remove(w);
                continue;
            }
            try {
                l.look();
            } catch (RuntimeException e) {
                error("TLS file watch failed: " + e);
            }
        }
    }

    void handshakeFailed(String frontend, Channel channel, Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c && !(c instanceof NotSslRecordException)
                && !(c instanceof LiveCertificates.UnknownNameException)) {
            c = c.getCause();
        }
        String why = c instanceof NotSslRecordException ? "not TLS" : String.valueOf(c.getMessage());
        if (why.length() > 160) {
            why = why.substring(0, 160) + "...";
        }
        failureLogs.computeIfAbsent(frontend, f -> new Throttled(10, TimeUnit.SECONDS))
                .occurred(this::warn, "frontend " + frontend + ": TLS handshake failed from " + channel.remoteAddress() + ": " + why);
    }

    void info(String msg) {
        Logger l = log;
        if (l != null) {
            l.info(msg);
        } else if (standaloneLog != null) {
            standaloneLog.accept("INFO " + msg);
        }
    }

    void warn(String msg) {
        Logger l = log;
        if (l != null) {
            l.warn(msg);
        } else if (standaloneLog != null) {
            standaloneLog.accept("WARN " + msg);
        }
    }

    void error(String msg) {
        Logger l = log;
        if (l != null) {
            l.error(msg);
        } else if (standaloneLog != null) {
            standaloneLog.accept("ERROR " + msg);
        }
    }
}
