package io.switchboard.accesslog.impl;

import io.switchboard.support.log.Throttled;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Write errors, logged once per burst (a full disk fails every flush): the first at once, then one
 * line per 10 s with the count. Through the last logger seen, so a writer still draining after its
 * bundle stopped reports too. Never thrown: the writer carries on and counts.
 */
final class WriteProblems {
    private final Supplier<Logger> log;
    private final Throttled throttled = new Throttled(10, TimeUnit.SECONDS);
    private volatile Logger last;

    WriteProblems(Supplier<Logger> log) {
        this.log = log;
    }

    void report(String message) {
        throttled.occurred(m -> {
            Logger l = log.get();
            if (l != null) {
                last = l;
            } else {
                l = last;
            }
            if (l != null) {
                l.error(m);
            }
        }, message);
    }
}
