package io.switchboard.handler.http.impl;

import io.switchboard.api.log.AccessLog;
import io.switchboard.api.log.LoggedExchange;
import io.switchboard.support.lifecycle.LastKnownGood;
import io.switchboard.support.log.Throttled;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;

/**
 * The access log as the protocol sees it. {@link #active()} is the service while it is on, else
 * null: one volatile read per request, and nothing more when the log is off. The service is the last
 * one known good: while the access log bundle is being updated the old one keeps taking entries (and
 * passes them to its successor), and this protocol's next version starts with it. A log that throws
 * never reaches the request: counted, and logged once per burst.
 */
final class AccessLogs {
    private final LastKnownGood<AccessLog> service = new LastKnownGood<>("io.switchboard.handler.http.protocol.accesslog");
    /** The service while it is on; null when off or when there is none. */
    private volatile AccessLog active;
    private final Throttled failures = new Throttled(10, TimeUnit.SECONDS);
    private final Supplier<Logger> log;
    private volatile Logger lastLogger;

    AccessLogs(Supplier<Logger> log) {
        this.log = log;
    }

    /** A service bound, or its {@link AccessLog#ENABLED} property changed. */
    void bind(AccessLog a, Map<String, ?> props) {
        service.bind(a);
        active = Boolean.TRUE.equals(props.get(AccessLog.ENABLED)) ? a : null;
    }

    /** At activation: the service the previous version used, unless one is bound already. */
    void takeOver(BundleContext context) {
        service.takeOver(context);
        AccessLog a = service.get();
        if (active == null && a != null) {
            try {
                active = a.enabled() ? a : null;
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }
    }

    void leave(BundleContext context) {
        service.leave(context);
    }

    /** The access log to give this request's entry to, or null: read once when a request begins. */
    AccessLog active() {
        return active;
    }

    /** Gives the entry to the log; whatever the log does wrong stays here. */
    void log(AccessLog a, LoggedExchange exchange) {
        try {
            a.log(exchange);
        } catch (RuntimeException | LinkageError e) {
            failed(e);
        }
    }

    /** Entries the access log failed to take (it threw). */
    long failures() {
        return failures.count();
    }

    private void failed(Throwable e) {
        failures.occurred(m -> {
            Logger l = log.get();
            if (l != null) {
                lastLogger = l;
            } else {
                l = lastLogger;
            }
            if (l != null) {
                l.warn(m);
            }
        }, "the access log failed to take an entry: " + e);
    }

    /** For tests outside a framework: this service, on. */
    void use(AccessLog a) {
        service.bind(a);
        active = a;
    }
}
