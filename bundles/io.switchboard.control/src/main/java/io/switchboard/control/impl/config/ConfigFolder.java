package io.switchboard.control.impl.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The configuration directory as one version of this bundle watches it: polled for files that
 * appear, change (a touch too) or go, each held back by {@link SettlingFiles} until it has stayed
 * the same for the settle time, then handed to the listener.
 * <p>
 * When the version stops, what it knows passes on to the next one ({@link #stop()}, then the
 * constructor): each file's size and modification time as last polled (the view), and the files
 * still settling. The next version looks again at those, and at every file that differs from the
 * view it was handed: a change made just before an update, or while no version watched, is applied
 * once, and a file already applied is not read again. Without a view (the first start) every file is
 * only examined: applied where it differs from the configuration in force. The state passed on is
 * made of JDK types only: the next version's classes are not this one's.
 */
final class ConfigFolder {
    /** The files that are configuration: {@code .cfg}, {@code .config}, {@code .json}. */
    static final Pattern NAMES = Pattern.compile(".*\\.(cfg|config|json)");
    /** State keys: the view ({@code Map<String, long[]>}: file, {size, modified nanos}) and the files settling ({@code Map<String, Boolean>}: file, only to be examined). */
    static final String VIEW = "view";
    static final String SETTLING = "settling";
    private static final long STOP_WAIT_MILLIS = 5_000;

    /** A file as polled: size and modification time; an unreadable one as -1, -1. */
    private record Stamp(long size, long modifiedNanos) {
        long[] toArray() {
            return new long[] {size, modifiedNanos};
        }
    }

    private final Path dir;
    private final SettlingFiles files;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sb-conf-poll");
        t.setDaemon(true);
        return t;
    });
    /** The files as last polled (or as handed over, until the first poll); null: no view yet. Poller thread only, until stopped. */
    private Map<Path, Stamp> seen;
    /** Files configurations in force came from, looked at on the first poll (one gone meanwhile is found so); then null. */
    private Set<Path> configuredFrom;

    /**
     * Starts watching.
     *
     * @param handedOver what the previous version passed on ({@link #stop()}), or null
     * @param configuredFrom the files in this directory that configurations in force came from
     */
    @SuppressWarnings("unchecked")
    ConfigFolder(Path dir, long pollMillis, long settleMillis, SettlingFiles.Listener listener,
                 Map<String, Object> handedOver, Collection<Path> configuredFrom) {
        this.dir = dir;
        this.files = new SettlingFiles(settleMillis, listener);
        this.configuredFrom = new HashSet<>(configuredFrom);
        if (handedOver != null) {
            Map<String, long[]> view = (Map<String, long[]>) handedOver.get(VIEW);
            if (view != null) {
                seen = new HashMap<>();
                view.forEach((file, s) -> seen.put(Path.of(file), new Stamp(s[0], s[1])));
            }
            Map<String, Boolean> settling = (Map<String, Boolean>) handedOver.get(SETTLING);
            if (settling != null) {
                settling.forEach((file, onlyIfDifferent) -> {
                    if (onlyIfDifferent) {
                        files.examine(Path.of(file));
                    } else {
                        files.changed(Path.of(file));
                    }
                });
            }
        }
        poller.scheduleWithFixedDelay(this::poll, 0, pollMillis, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            Map<Path, Stamp> now = list();
            if (now == null) {
                return; // the directory cannot be listed (not there yet, say): nothing is taken as gone
            }
            if (seen == null) {
                now.keySet().forEach(files::examine);
            } else {
                now.forEach((file, stamp) -> {
                    if (!stamp.equals(seen.get(file))) {
                        files.changed(file);
                    }
                });
                seen.keySet().stream().filter(file -> !now.containsKey(file)).forEach(files::changed);
            }
            if (configuredFrom != null) {
                Set<Path> wasSeen = seen == null ? Set.of() : seen.keySet();
                configuredFrom.stream().filter(f -> !now.containsKey(f) && !wasSeen.contains(f)).forEach(files::changed);
                configuredFrom = null;
            }
            seen = now;
        } catch (RuntimeException e) {
            // looked at again at the next poll
        }
    }

    /** The configuration files in the directory now, or null when it cannot be listed. */
    private Map<Path, Stamp> list() {
        Map<Path, Stamp> now = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                if (!NAMES.matcher(file.getFileName().toString()).matches()) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    if (!a.isDirectory()) {
                        now.put(file, new Stamp(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
                    }
                } catch (NoSuchFileException gone) {
                    // went while listed: absent
                } catch (IOException e) {
                    now.put(file, new Stamp(-1, -1)); // settles as unreadable
                }
            }
        } catch (IOException e) {
            return null;
        }
        return now;
    }

    /** Stops watching; returns what the next version needs to go on where this one stops (JDK types only). */
    Map<String, Object> stop() {
        poller.shutdown();
        try {
            if (!poller.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                poller.shutdownNow();
            }
        } catch (InterruptedException e) {
            poller.shutdownNow();
            Thread.currentThread().interrupt();
        }
        Map<String, Object> state = new HashMap<>();
        Map<String, Boolean> settling = new HashMap<>();
        files.stop().forEach((file, onlyIfDifferent) -> settling.put(file.toString(), onlyIfDifferent));
        state.put(SETTLING, settling);
        if (seen != null) {
            Map<String, long[]> view = new HashMap<>();
            seen.forEach((file, stamp) -> view.put(file.toString(), stamp.toArray()));
            state.put(VIEW, view);
        }
        return state;
    }
}
