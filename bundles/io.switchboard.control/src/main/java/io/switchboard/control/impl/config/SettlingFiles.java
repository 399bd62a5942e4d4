package io.switchboard.control.impl.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Holds a file back until it has stayed the same (content, size, modification time) for the settle
 * time, then hands over what it read: a file an editor saves in two writes is taken once, whole,
 * however the watcher's polls fall between the writes. A file that goes away settles the same way,
 * so one replaced by delete-then-create never looks deleted. Everything runs on one thread, in the
 * order the files settle. A file is either changed (handed over as a change, to be applied even if
 * it changes nothing: a touch) or only to be examined (applied only where it differs from what is in
 * force); a change reported while a file settles makes it a change.
 */
final class SettlingFiles {

    /** What a settled file is handed to. */
    interface Listener {
        /** @param onlyIfDifferent the file was only to be examined, not reported changed */
        void settled(Path file, byte[] content, boolean onlyIfDifferent);

        void gone(Path file);

        void unreadable(Path file, IOException e);
    }

    /** A file as seen once: absent, unreadable, or its size, modification time and content. */
    private static final class Look {
        final boolean exists;
        final long size;
        final long modifiedNanos;
        final byte[] content;
        final IOException error;

        private Look(boolean exists, long size, long modifiedNanos, byte[] content, IOException error) {
            this.exists = exists;
            this.size = size;
            this.modifiedNanos = modifiedNanos;
            this.content = content;
            this.error = error;
        }

        static Look at(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                byte[] content = Files.readAllBytes(file);
                return new Look(true, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), content, null);
            } catch (NoSuchFileException e) {
                return new Look(false, -1, 0, null, null);
            } catch (IOException e) {
                return new Look(true, -1, 0, null, e);
            }
        }

        boolean same(Look o) {
            return exists == o.exists && size == o.size && modifiedNanos == o.modifiedNanos && Arrays.equals(content, o.content)
                    && Objects.equals(error == null ? null : error.toString(), o.error == null ? null : o.error.toString());
        }
    }

    /** A file not settled yet: how it looked last, since when it has looked so, and whether it is only to be examined. */
    private static final class Pending {
        final Look look;
        final long sinceNanos;
        volatile boolean onlyIfDifferent;

        Pending(Look look, long sinceNanos, boolean onlyIfDifferent) {
            this.look = look;
            this.sinceNanos = sinceNanos;
            this.onlyIfDifferent = onlyIfDifferent;
        }
    }

    /** How long {@link #stop()} waits for a hand-over in progress. */
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final long settleNanos;
    private final Listener listener;
    /** Changed on the timer thread only (read by {@link #stop()} once the thread is done). */
    private final Map<Path, Pending> pending = new ConcurrentHashMap<>();
    /** Files reported after {@link #stop()} began: passed on with the pending ones. */
    private final Map<Path, Boolean> late = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "sb-conf-settle");
        t.setDaemon(true);
        return t;
    });

    SettlingFiles(long settleMillis, Listener listener) {
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
        this.listener = listener;
        // On stop, the looks already due still run (a reported file becomes pending); later ones do not.
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The file appeared, changed or went: it is handed over once it has stayed so for the settle time. */
    void changed(Path file) {
        report(file, false);
    }

    /**
     * The file is to be looked at (nobody saw it change): it is handed over, as only to be examined,
     * once it has stayed the same for the settle time; unless it is reported changed meanwhile.
     */
    void examine(Path file) {
        report(file, true);
    }

    private void report(Path file, boolean onlyIfDifferent) {
        try {
            timer.execute(() -> {
                Pending p = pending.get(file);
                if (p != null && !onlyIfDifferent) {
                    p.onlyIfDifferent = false;
                }
                look(file, onlyIfDifferent);
            });
        } catch (RejectedExecutionException stopped) {
            late.merge(file, onlyIfDifferent, Boolean::logicalAnd);
        }
    }

    private void look(Path file, boolean onlyIfDifferent) {
        Look now = Look.at(file);
        long t = System.nanoTime();
        Pending p = pending.get(file);
        if (p == null || !p.look.same(now)) {
            // New, or changed since the last look: the settle time starts again.
            pending.put(file, new Pending(now, t, p == null ? onlyIfDifferent : p.onlyIfDifferent));
            try {
                timer.schedule(() -> look(file, onlyIfDifferent), settleNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopped) {
                // stopping: the file stays pending and is passed on
            }
        } else if (t - p.sinceNanos >= settleNanos) {
            handOver(file, now, p.onlyIfDifferent);
            pending.remove(file); // only now: a hand-over cut short by a stop is passed on, not lost
        }
        // else: the same, not long enough; the look scheduled when it last changed is still to come
    }

    private void handOver(Path file, Look look, boolean onlyIfDifferent) {
        try {
            if (!look.exists) {
                listener.gone(file);
            } else if (look.error != null) {
                listener.unreadable(file, look.error);
            } else {
                listener.settled(file, look.content, onlyIfDifferent);
            }
        } catch (RuntimeException e) {
            // The listener reports its own failures; this thread must go on for the other files.
        }
    }

    /**
     * Stops: looks already due still run, a hand-over in progress completes (waited for a while),
     * and nothing more is handed over. Returns the files not settled yet, each with whether it was
     * only to be examined: to be looked at again by whoever watches next.
     */
    Map<Path, Boolean> stop() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        Map<Path, Boolean> left = new HashMap<>();
        pending.forEach((file, p) -> left.put(file, p.onlyIfDifferent));
        late.forEach((file, onlyIfDifferent) -> left.merge(file, onlyIfDifferent, Boolean::logicalAnd));
        return left;
    }
}
