package io.switchboard.metrics.impl;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;

/** A few JVM basics from the platform MXBeans (cheap: no thread dump, no per-pool walk). */
final class JvmSeries {
    private JvmSeries() {
    }

    static void write(List<MetricSnapshot> out) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Series used = Series.gauge("jvm_memory_used_bytes", "Memory used by the JVM, by area", "area");
        used.add(memory.getHeapMemoryUsage().getUsed(), "heap");
        used.add(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
        used.into(out);
        Series threads = Series.gauge("jvm_threads_current", "Live threads of the JVM");
        threads.add(ManagementFactory.getThreadMXBean().getThreadCount());
        threads.into(out);
        Series collections = Series.counter("jvm_gc_collections", "Garbage collections, by collector", "gc");
        Series seconds = Series.counter("jvm_gc_collection_seconds", "Time spent in garbage collections, by collector", "gc");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getCollectionCount() >= 0) {
                collections.add(gc.getCollectionCount(), gc.getName());
                seconds.add(gc.getCollectionTime() / 1000.0, gc.getName());
            }
        }
        collections.into(out);
        seconds.into(out);
        Series uptime = Series.gauge("process_uptime_seconds", "Seconds since the JVM started");
        uptime.add(ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        uptime.into(out);
    }
}
