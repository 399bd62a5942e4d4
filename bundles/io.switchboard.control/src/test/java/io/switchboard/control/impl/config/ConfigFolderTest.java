package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration directory across versions of the control bundle: each version is a
 * {@link ConfigFolder}, stopped (as on an update or refresh) and followed by the next, which is
 * given what the previous one passed on, as {@code Handover} carries it in the framework.
 */
class ConfigFolderTest {
    private static final long POLL = 20;
    private static final long SETTLE = 600;

    @TempDir
    Path dir;

    private final List<ConfigFolder> running = new ArrayList<>();

    /** What one version handed to Config Admin: "settled NAME: TEXT", "examined NAME: TEXT", "gone NAME", "unreadable NAME". */
    private static final class Applied implements SettlingFiles.Listener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void settled(Path file, byte[] content, boolean onlyIfDifferent) {
            seen.add((onlyIfDifferent ? "examined " : "settled ") + file.getFileName() + ": " + new String(content, StandardCharsets.UTF_8));
        }

        @Override
        public void gone(Path file) {
            seen.add("gone " + file.getFileName());
        }

        @Override
        public void unreadable(Path file, IOException e) {
            seen.add("unreadable " + file.getFileName());
        }

        void await(int count) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(count, seen.size(), "handed over: " + seen);
        }
    }

    private ConfigFolder version(Applied to, Map<String, Object> handedOver, Collection<Path> configuredFrom) {
        ConfigFolder f = new ConfigFolder(dir, POLL, SETTLE, to, handedOver, configuredFrom);
        running.add(f);
        return f;
    }

    private Map<String, Object> stop(ConfigFolder f) {
        running.remove(f);
        return f.stop();
    }

    @AfterEach
    void stopAll() {
        running.forEach(ConfigFolder::stop);
    }

    @Test
    void aChangeStillSettlingWhenAVersionStopsIsAppliedOnceByTheNext() throws Exception {
        Path web = dir.resolve("io.switchboard.frontend-web.cfg");
        Files.writeString(web, "port = 80\n");
        Applied first = new Applied();
        ConfigFolder v1 = version(first, null, Set.of());
        first.await(1);

        Files.writeString(web, "port = 8080\nvia = x\n");
        Thread.sleep(10 * POLL); // seen by the first version, far from settled
        Map<String, Object> left = stop(v1);
        assertTrue(((Map<?, ?>) left.get(ConfigFolder.SETTLING)).containsKey(web.toString()), "passed on as settling: " + left);

        Applied second = new Applied();
        version(second, left, Set.of());
        second.await(1);
        Thread.sleep(3 * SETTLE); // nothing more comes
        assertEquals(List.of("examined io.switchboard.frontend-web.cfg: port = 80\n"), first.seen, "the first version never applied the change");
        assertEquals(List.of("settled io.switchboard.frontend-web.cfg: port = 8080\nvia = x\n"), second.seen);
    }

    @Test
    void changesMadeWhileNoVersionWatchesAreAppliedByTheNextAndUnchangedFilesAreNotReadAgain() throws Exception {
        Path changed = dir.resolve("io.switchboard.cluster-web.cfg");
        Path removed = dir.resolve("io.switchboard.route-api.cfg");
        Path touched = dir.resolve("io.switchboard.frontends.cfg");
        Path unchanged = dir.resolve("io.switchboard.transport.cfg");
        Files.writeString(changed, "endpoints = 127.0.0.1:1\n");
        Files.writeString(removed, "cluster = api\n");
        Files.writeString(touched, "via = a\n");
        Files.writeString(unchanged, "eventLoops = 2\n");
        Applied first = new Applied();
        ConfigFolder v1 = version(first, null, Set.of());
        first.await(4);
        Map<String, Object> left = stop(v1);

        // The bundle is being updated: no version runs.
        Files.writeString(changed, "endpoints = 127.0.0.1:1, 127.0.0.1:2\n");
        Files.delete(removed);
        Files.setLastModifiedTime(touched, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Files.writeString(dir.resolve("io.switchboard.cluster-new.json"), "{\"endpoints\": \"127.0.0.1:3\"}");

        Applied second = new Applied();
        version(second, left, Set.of());
        second.await(4);
        Thread.sleep(3 * SETTLE);
        assertEquals(Set.of(
                "settled io.switchboard.cluster-web.cfg: endpoints = 127.0.0.1:1, 127.0.0.1:2\n",
                "gone io.switchboard.route-api.cfg",
                "settled io.switchboard.frontends.cfg: via = a\n", // touched: applied again, as always
                "settled io.switchboard.cluster-new.json: {\"endpoints\": \"127.0.0.1:3\"}"), Set.copyOf(second.seen));
        assertEquals(4, second.seen.size(), "each once: " + second.seen);
    }

    @Test
    void aVersionUpdatedAgainBeforeAChangeSettledPassesItOnToo() throws Exception {
        Path web = dir.resolve("io.switchboard.cluster-web.json");
        Files.writeString(web, "{}");
        Applied first = new Applied();
        ConfigFolder v1 = version(first, null, Set.of());
        first.await(1);
        Files.writeString(web, "{\"endpoints\": \"127.0.0.1:1\"}");
        Thread.sleep(10 * POLL);
        Map<String, Object> left = stop(v1);
        // Felix's update, then refresh: two versions in quick succession, the middle one stopped
        // long before the change settles.
        Applied second = new Applied();
        ConfigFolder v2 = version(second, left, Set.of());
        Thread.sleep(5 * POLL);
        left = stop(v2);
        Applied third = new Applied();
        version(third, left, Set.of());
        third.await(1);
        Thread.sleep(3 * SETTLE);
        assertEquals(List.of(), second.seen);
        assertEquals(List.of("settled io.switchboard.cluster-web.json: {\"endpoints\": \"127.0.0.1:1\"}"), third.seen);
    }

    @Test
    void withNothingHandedOverEveryFileIsOnlyExaminedAndAConfiguredFileThatWentIsGone() throws Exception {
        Files.writeString(dir.resolve("io.switchboard.frontend-web.cfg"), "port = 80\n");
        Files.writeString(dir.resolve("notes.txt"), "not configuration\n");
        Applied applied = new Applied();
        version(applied, null, Set.of(dir.resolve("io.switchboard.cluster-old.cfg")));
        applied.await(2);
        Thread.sleep(3 * SETTLE);
        assertEquals(Set.of("examined io.switchboard.frontend-web.cfg: port = 80\n", "gone io.switchboard.cluster-old.cfg"),
                Set.copyOf(applied.seen));
        assertEquals(2, applied.seen.size(), applied.seen.toString());
    }

    @Test
    void aFileExaminedButChangedWhileItSettlesIsAChange() throws Exception {
        Path web = dir.resolve("io.switchboard.frontend-web.cfg");
        Files.writeString(web, "port = 80\n");
        Applied applied = new Applied();
        version(applied, null, Set.of());
        Thread.sleep(10 * POLL);
        Files.writeString(web, "port = 8080\n");
        applied.await(1);
        Thread.sleep(3 * SETTLE);
        assertEquals(List.of("settled io.switchboard.frontend-web.cfg: port = 8080\n"), applied.seen);
    }
}
