package io.switchboard.accesslog.impl;

import io.switchboard.api.log.AccessLog;
import io.switchboard.api.log.LoggedExchange;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The access log as a service: the pipeline in force (none while the log is off), replaced whole
 * when the settings change, and handed over to the next version of this bundle.
 */
final class AccessLogService implements AccessLog {
    private final LogCounters counters;
    private final Clock clock;
    private final Consumer<String> problem;
    private volatile LogPipeline current;
    private volatile AccessLogSettings settings;
    /** Set once this version has handed its entries to the next one. */
    private volatile boolean handedOver;
    private int generation;

    AccessLogService(LogCounters counters, Clock clock, Consumer<String> problem) {
        this.counters = counters;
        this.clock = clock;
        this.problem = problem;
    }

    @Override
    public void log(LoggedExchange exchange) {
        LogPipeline p = current;
        if (p != null && !p.offer(exchange, System.nanoTime())) {
            AccessLog next = p.successor(); // retired: this service's next pipeline, or the next version's service
            if (next != null) {
                next.log(exchange);
            }
        }
    }

    /**
     * Puts the settings in force: a new pipeline (or none, when off) takes over from the current
     * one, whose writer finishes first; {@code gate} is what the first pipeline waits for (an earlier
     * version draining).
     */
    synchronized void apply(AccessLogSettings s, CompletionStage<?> gate) {
        LogPipeline old = current;
        settings = s;
        if (!s.enabled) {
            current = null;
            if (old != null) {
                old.retire(null);
            }
            return;
        }
        CompletionStage<?> after = old == null ? gate : old.drained();
        LogFile file = new LogFile(s.path, s.rotateBytes, s.rotateDaily, s.keep, clock, counters, problem);
        LogPipeline p = new LogPipeline(s.ringSize, LogFormat.byName(s.format, clock.getZone()), file, counters, clock, after);
        p.start("sb-accesslog-" + (++generation));
        current = p;
        if (old != null) {
            old.retire(this); // stragglers come back here and go to the new pipeline
        }
    }

    /**
     * Hands every entry from now on to the next version's service; completes once this version's
     * writer has written out the rest and closed the file.
     */
    synchronized CompletableFuture<Void> handOverTo(AccessLog next) {
        handedOver = true;
        LogPipeline p = current;
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        return p.retire(next);
    }

    /** Stops for good (the framework stops, or nobody took over): writes out the rest. */
    CompletableFuture<Void> close() {
        return handOverTo(null);
    }

    @Override
    public boolean enabled() {
        return current != null && !handedOver;
    }

    @Override public long written() { return counters.written.sum(); }
    @Override public long dropped() { return counters.dropped.sum(); }
    @Override public long failed() { return counters.failed.sum(); }
    @Override public String lastError() { return counters.lastError.get(); }

    @Override
    public long backlog() {
        LogPipeline p = current;
        return p == null ? 0 : p.backlog();
    }

    @Override
    public String describe() {
        AccessLogSettings s = settings;
        return s == null ? "not configured" : s.describe();
    }

    AccessLogSettings settings() {
        return settings;
    }
}
