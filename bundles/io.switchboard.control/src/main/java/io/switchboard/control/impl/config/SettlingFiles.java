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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Holds a file back until it has stayed the same (content, size, modification time) for the settle
 * time, then hands over what it read: a file an editor saves in two writes is taken once, whole,
 * however the watcher's polls fall between the writes. A file that goes away settles the same way,
 * so one replaced by delete-then-create never looks deleted. Everything runs on one thread, in the
 * order the files settle.
 */
final class SettlingFiles implements AutoCloseable {

    /** What a settled file is handed to. */
    interface Listener {
        void settled(Path file, byte[] content);

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

    /** A file not settled yet: how it looked last, and since when it has looked so. */
    private static final class Pending {
        Look look;
        long sinceNanos;

        Pending(Look look, long sinceNanos) {
            this.look = look;
            this.sinceNanos = sinceNanos;
        }
    }

    private final long settleNanos;
    private final Listener listener;
    /** Touched on the timer thread only. */
    private final Map<Path, Pending> pending = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sb-conf-settle");
        t.setDaemon(true);
        return t;
    });

    SettlingFiles(long settleMillis, Listener listener) {
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
        this.listener = listener;
    }

    /** The file appeared, changed or went: it is handed over once it has stayed so for the settle time. */
    void changed(Path file) {
        timer.execute(() -> look(file));
    }

    private void look(Path file) {
        Look now = Look.at(file);
        long t = System.nanoTime();
        Pending p = pending.get(file);
        if (p == null || !p.look.same(now)) {
            // New, or changed since the last look: the settle time starts again.
            pending.put(file, new Pending(now, t));
            timer.schedule(() -> look(file), settleNanos, TimeUnit.NANOSECONDS);
        } else if (t - p.sinceNanos >= settleNanos) {
            pending.remove(file);
            handOver(file, now);
        }
        // else: the same, not long enough; the look scheduled when it last changed is still to come
    }

    private void handOver(Path file, Look look) {
        try {
            if (!look.exists) {
                listener.gone(file);
            } else if (look.error != null) {
                listener.unreadable(file, look.error);
            } else {
                listener.settled(file, look.content);
            }
        } catch (RuntimeException e) {
            // The listener reports its own failures; this thread must go on for the other files.
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
