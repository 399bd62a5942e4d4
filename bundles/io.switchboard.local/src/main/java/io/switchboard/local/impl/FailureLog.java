package io.switchboard.local.impl;

import io.switchboard.support.log.Throttled;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Logs an application's failures once per burst (per application), with a count. */
final class FailureLog {
    private final Map<String, Throttled> perApp = new ConcurrentHashMap<>();
    private final Consumer<String> warn;

    FailureLog(Consumer<String> warn) {
        this.warn = warn;
    }

    void failed(String app, String what) {
        perApp.computeIfAbsent(app, a -> new Throttled(10, TimeUnit.SECONDS)).occurred(warn, "local application " + app + ": " + what);
    }

    long count(String app) {
        Throttled t = perApp.get(app);
        return t == null ? 0 : t.count();
    }
}
