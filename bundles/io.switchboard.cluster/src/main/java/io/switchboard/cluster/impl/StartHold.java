package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.ListenerHold;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The hold on listeners while this dispatcher joins. It is decided before the configuration is read
 * into Config Admin ({@link HoldActivator}): this bundle starts before the control bundle reads
 * {@code conf/}, so it looks at {@code conf/io.switchboard.dispatchers.cfg} itself (the {@code .cfg}
 * form only), and holds when that file turns the dispatcher cluster on. It is released once the table is synced, or when joining failed or took too long
 * (then the log says the dispatcher serves without the group's table).
 */
final class StartHold implements ListenerHold {
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    /** Whether the configuration file in the directory turns the dispatcher cluster on. */
    static boolean enabledIn(Path confDir) {
        Path file = confDir.resolve(DispatcherComponent.PID + ".cfg");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            return false; // the control bundle rejects it, naming the problem
        }
        String v = p.getProperty("enabled", "false").trim().toLowerCase();
        return v.equals("true") || v.equals("yes") || v.equals("on");
    }

    static StartHold releasedAlready() {
        StartHold h = new StartHold();
        h.release();
        return h;
    }

    @Override
    public boolean held() {
        return !released.isDone();
    }

    @Override
    public void whenReleased(Runnable action) {
        released.thenRun(action);
    }

    void release() {
        released.complete(null);
    }
}
