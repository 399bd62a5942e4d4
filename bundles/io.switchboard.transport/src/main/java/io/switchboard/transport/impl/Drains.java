package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.transport.DrainEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Drains: connections told to finish and close ({@link DrainEvent}), each closed by its own event
 * loop at the deadline if it has not closed by then. Each drain is recorded (how many, how many
 * finished, how many were cut at the deadline, how long it took) and logged when it ends. The
 * history is a JDK container the next transport version keeps.
 */
final class Drains {
    private static final int HISTORY = 32;

    private final Deque<Supplier<DrainRecord>> history;
    private final Consumer<String> info;
    private final Consumer<String> warn;

    Drains(Deque<Supplier<DrainRecord>> history, Consumer<String> info, Consumer<String> warn) {
        this.history = history;
        this.info = info;
        this.warn = warn;
    }

    static Deque<Supplier<DrainRecord>> newHistory() {
        return new ConcurrentLinkedDeque<>();
    }

    Deque<Supplier<DrainRecord>> history() {
        return history;
    }

    List<DrainRecord> records() {
        List<DrainRecord> out = new ArrayList<>();
        for (Supplier<DrainRecord> d : history) {
            out.add(d.get());
        }
        return out;
    }

    /**
     * Drains the connections; nothing is recorded when there are none.
     *
     * @param openEndedRunOn whether open-ended connections ({@link DrainEvent#OPEN_ENDED}) run on
     *        rather than close at the deadline: true when code or settings were replaced, false when
     *        the frontend or the event loop goes away
     * @return completes when every connection waited for has closed
     */
    CompletableFuture<Void> start(String reason, Collection<Channel> channels, long deadlineMillis, DrainEvent event,
                                  boolean openEndedRunOn) {
        List<Channel> open = new ArrayList<>();
        int runningOn = 0;
        for (Channel ch : channels) {
            if (!ch.isOpen()) {
                continue;
            }
            if (openEndedRunOn && Boolean.TRUE.equals(ch.attr(DrainEvent.OPEN_ENDED).get())) {
                runningOn++;
            } else {
                open.add(ch);
            }
        }
        if (open.isEmpty() && runningOn == 0) {
            return CompletableFuture.completedFuture(null);
        }
        Drain d = new Drain(reason, open.size(), runningOn);
        history.addLast(d);
        while (history.size() > HISTORY) {
            history.pollFirst();
        }
        if (open.isEmpty()) {
            d.complete();
        }
        for (Channel ch : open) {
            ch.closeFuture().addListener(f -> d.closed(ch));
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(event));
            ch.eventLoop().schedule(() -> {
                if (ch.isOpen()) {
                    d.cutShort(ch);
                    ch.close();
                }
            }, deadlineMillis, TimeUnit.MILLISECONDS);
        }
        return d.done;
    }

    /** One drain in progress or done. */
    private final class Drain implements Supplier<DrainRecord> {
        private final String reason;
        private final long startedMillis = System.currentTimeMillis();
        private final long startedNanos = System.nanoTime();
        private final int connections;
        private final int leftRunning;
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicInteger forced = new AtomicInteger();
        private volatile long tookMillis = -1;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Drain(String reason, int connections, int leftRunning) {
            this.reason = reason;
            this.connections = connections;
            this.leftRunning = leftRunning;
        }

        void cutShort(Channel ch) {
            Boolean busy = ch.attr(DrainEvent.BUSY).get();
            if (busy == null || busy) {
                forced.incrementAndGet();
            }
            // an idle connection closed at the deadline has lost nothing: it counts as finished
        }

        void closed(Channel ch) {
            if (finished.incrementAndGet() == connections) {
                complete();
            }
        }

        void complete() {
            tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            DrainRecord r = get();
            (forced.get() > 0 ? warn : info).accept("drained: " + r);
            this.done.complete(null);
        }

        @Override
        public DrainRecord get() {
            long took = tookMillis;
            boolean done = took >= 0;
            int cut = forced.get();
            return new DrainRecord(reason, startedMillis, connections + leftRunning, finished.get() - cut, cut, leftRunning,
                    done ? took : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), done);
        }
    }
}
