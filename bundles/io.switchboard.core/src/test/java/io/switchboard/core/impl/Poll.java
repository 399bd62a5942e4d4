package io.switchboard.core.impl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; no fixed sleeps. */
final class Poll {
    static final long DEFAULT_TIMEOUT_MILLIS = 2_000;

    private Poll() {
    }

    static void until(BooleanSupplier condition, Supplier<String> failure) {
        until(condition, DEFAULT_TIMEOUT_MILLIS, failure);
    }

    static void until(BooleanSupplier condition, long timeoutMillis, Supplier<String> failure) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeoutMillis + " ms: " + failure.get());
            }
            LockSupport.parkNanos(50_000);
        }
    }
}
