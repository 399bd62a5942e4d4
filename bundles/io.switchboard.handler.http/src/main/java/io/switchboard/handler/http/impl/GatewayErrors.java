package io.switchboard.handler.http.impl;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.support.log.Throttled;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * The errors the proxy answers itself (502, 503, 504: no cluster, no endpoint, a back-end that
 * failed), logged once per burst with a count: an operator sees them without an access log, and a
 * client's 5xx can be matched to its reason.
 */
final class GatewayErrors {
    private final Supplier<Logger> log;
    private final Throttled throttled = new Throttled(10, TimeUnit.SECONDS);
    /** The last logger seen: connections that drain on this code after its bundle stopped still report. */
    private volatile Logger last;

    GatewayErrors(Supplier<Logger> log) {
        this.log = log;
    }

    void answered(String frontend, HttpResponseStatus status, String reason) {
        throttled.occurred(m -> {
            Logger l = log.get();
            if (l != null) {
                last = l;
            } else {
                l = last;
            }
            if (l != null) {
                l.warn(m);
            }
        }, "frontend " + frontend + " answered " + status.code() + " " + status.reasonPhrase() + ": " + reason);
    }
}
