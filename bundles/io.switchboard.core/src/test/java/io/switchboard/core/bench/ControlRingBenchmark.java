package io.switchboard.core.bench;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.TableEdit;
import io.switchboard.core.impl.CoreManager;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Control ring throughput: edits per second that one producer gets through {@code edit()} and the
 * single writer applies and publishes. One invocation queues {@value #PAIRS} REASSIGNED + RELEASED
 * pairs and one marker edit, then waits until the marker is visible in {@code table()}, so the score
 * counts edits the writer has consumed and published, not just queued. The edits are built once:
 * what is measured is the ring, the writer and the snapshot copies, not the allocation of edits.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ControlRingBenchmark {
    static final int PAIRS = 1_000;

    @Param({"blocking", "yielding", "busy-spin"})
    public String waitStrategy;

    @Param({"4096"})
    public int ringSize;

    private CoreManager core;
    private final TableEdit[] put = new TableEdit[PAIRS];
    private final TableEdit[] removed = new TableEdit[PAIRS];
    private final HandlerEntry[] markers = new HandlerEntry[2];
    private final TableEdit[] markerEdits = new TableEdit[2];
    private int invocation;

    @Setup(Level.Trial)
    public void start() {
        core = CoreManager.start(ringSize, 64, waitStrategy);
        for (int i = 0; i < PAIRS; i++) {
            HandlerEntry h = new HandlerEntry("special-" + i, (flow, message) -> { }, i, "bench", null);
            put[i] = TableEdit.putHandler(h);
            removed[i] = TableEdit.removeHandler(h);
        }
        for (int i = 0; i < 2; i++) {
            markers[i] = new HandlerEntry("marker", (flow, message) -> { }, -1 - i, "bench", null);
            markerEdits[i] = TableEdit.putHandler(markers[i]);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        core.deactivate();
    }

    @Benchmark
    @OperationsPerInvocation(2 * PAIRS + 1)
    public long putRemovePairs() {
        for (int i = 0; i < PAIRS; i++) {
            core.edit(put[i]);
            core.edit(removed[i]);
        }
        int m = invocation++ & 1;
        core.edit(markerEdits[m]);
        // the marker applies after every edit queued before it: wait until the writer published it
        while (core.table().handlers().get("marker") != markers[m]) {
            Thread.onSpinWait();
        }
        return core.table().version();
    }
}
