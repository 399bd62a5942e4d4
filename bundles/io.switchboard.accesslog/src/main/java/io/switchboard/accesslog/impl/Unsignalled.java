package io.switchboard.accesslog.impl;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * The ring's wait strategy: producers never signal the writer (a blocking strategy would take a
 * lock on every publish, on the event loop); the writer polls the ring itself and parks between
 * looks, so it needs no barrier to wait on either.
 */
final class Unsignalled implements WaitStrategy {
    static final Unsignalled INSTANCE = new Unsignalled();

    private Unsignalled() {
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier) {
        throw new UnsupportedOperationException("the access log's writer polls the ring itself");
    }

    @Override
    public void signalAllWhenBlocking() {
        // nobody waits
    }
}
