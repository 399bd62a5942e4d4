package io.switchboard.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Makes Netty's leak detector fail tests: it runs at paranoid level (surefire's argLine) and reports
 * through java.util.logging; this collects the reports so a fixture can assert there are none.
 */
public final class LeakWatch {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final Logger NETTY = Logger.getLogger(ResourceLeakDetector.class.getName());

    static {
        NETTY.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("LEAK")) {
                    LEAKS.add(r.getMessage());
                }
            }

            @Override public void flush() { }
            @Override public void close() { }
        });
    }

    private LeakWatch() {
    }

    /** Collects garbage and lets the detector look; throws when any buffer was leaked so far. */
    public static void assertNoLeaks() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("tests must run with -Dio.netty.leakDetection.level=paranoid");
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            // The detector reports leaks of collected buffers when the next buffer is tracked.
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!LEAKS.isEmpty()) {
            String first = LEAKS.get(0);
            LEAKS.clear();
            throw new AssertionError("Netty buffer leak: " + first);
        }
    }
}
