package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettlingFilesTest {
    private static final long SETTLE = 400;

    @TempDir
    Path dir;

    /** What was handed over, in order: "settled: TEXT", "gone", "unreadable". */
    private final List<String> handed = new CopyOnWriteArrayList<>();
    private final List<Long> handedAt = new CopyOnWriteArrayList<>();
    private final SettlingFiles files = new SettlingFiles(SETTLE, new SettlingFiles.Listener() {
        @Override
        public void settled(Path file, byte[] content, boolean onlyIfDifferent) {
            record((onlyIfDifferent ? "examined: " : "settled: ") + new String(content, StandardCharsets.UTF_8));
        }

        @Override
        public void gone(Path file) {
            record("gone");
        }

        @Override
        public void unreadable(Path file, IOException e) {
            record("unreadable");
        }
    });

    private void record(String what) {
        handedAt.add(System.nanoTime());
        handed.add(what);
    }

    @AfterEach
    void stop() {
        files.stop();
    }

    @Test
    void aFileWrittenInTwoStepsIsHandedOverOnceWhole() throws Exception {
        Path f = dir.resolve("io.switchboard.cluster-web.cfg");
        Files.writeString(f, "endpoints = 127.0.0.1:9001");
        files.changed(f); // the watcher saw the first half
        Thread.sleep(SETTLE / 2);
        Files.writeString(f, ", 127.0.0.1:9002\n", StandardOpenOption.APPEND);
        files.changed(f); // and the whole, a poll later
        awaitHandedOver(1);
        Thread.sleep(3 * SETTLE); // nothing more comes
        assertEquals(List.of("settled: endpoints = 127.0.0.1:9001, 127.0.0.1:9002\n"), handed);
    }

    @Test
    void aSecondWriteTheWatcherDidNotReportIsWaitedForToo() throws Exception {
        Path f = dir.resolve("a.cfg");
        Files.writeString(f, "x = 1");
        files.changed(f);
        Thread.sleep(SETTLE / 2);
        Files.writeString(f, "\ny = 2\n", StandardOpenOption.APPEND); // between two polls: no report
        awaitHandedOver(1);
        Thread.sleep(3 * SETTLE);
        assertEquals(List.of("settled: x = 1\ny = 2\n"), handed);
    }

    @Test
    void aFileIsHandedOverOnlyOnceItHasStayedTheSameForTheSettleTime() throws Exception {
        Path f = dir.resolve("a.json");
        Files.writeString(f, "{}");
        long changed = System.nanoTime();
        files.changed(f);
        awaitHandedOver(1);
        long waited = (handedAt.get(0) - changed) / 1_000_000;
        assertTrue(waited >= SETTLE, "handed over after " + waited + " ms");
        assertEquals(List.of("settled: {}"), handed);
    }

    @Test
    void aFileReplacedByDeleteAndCreateNeverLooksGone() throws Exception {
        Path f = dir.resolve("a.cfg");
        Files.writeString(f, "x = 1\n");
        files.changed(f);
        awaitHandedOver(1);
        Files.delete(f);
        files.changed(f);
        Thread.sleep(SETTLE / 4);
        Files.writeString(f, "x = 2\n");
        files.changed(f);
        awaitHandedOver(2);
        Thread.sleep(2 * SETTLE);
        assertEquals(List.of("settled: x = 1\n", "settled: x = 2\n"), handed);
    }

    @Test
    void aFileThatStaysAwayIsGoneOnce() throws Exception {
        Path f = dir.resolve("a.cfg");
        Files.writeString(f, "x = 1\n");
        files.changed(f);
        awaitHandedOver(1);
        Files.delete(f);
        files.changed(f);
        files.changed(f);
        awaitHandedOver(2);
        Thread.sleep(2 * SETTLE);
        assertEquals(List.of("settled: x = 1\n", "gone"), handed);
    }

    @Test
    void touchingAFileHandsItOverAgain() throws Exception {
        Path f = dir.resolve("a.cfg");
        Files.writeString(f, "x = 1\n");
        files.changed(f);
        awaitHandedOver(1);
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        files.changed(f);
        awaitHandedOver(2);
        assertEquals(List.of("settled: x = 1\n", "settled: x = 1\n"), handed);
    }

    @Test
    void aFileNotSettledWhenStoppedIsPassedOnNotDropped() throws Exception {
        Path changed = dir.resolve("a.cfg");
        Path examined = dir.resolve("b.cfg");
        Files.writeString(changed, "x = 1\n");
        Files.writeString(examined, "y = 1\n");
        files.changed(changed);
        files.examine(examined);
        Thread.sleep(SETTLE / 4);
        assertEquals(Map.of(changed, false, examined, true), files.stop(), "still settling, and how");
        Thread.sleep(2 * SETTLE);
        assertEquals(List.of(), handed, "nothing handed over once stopped");
    }

    @Test
    void aFileOnlyToBeExaminedIsHandedOverSoUnlessReportedChanged() throws Exception {
        Path a = dir.resolve("a.cfg");
        Path b = dir.resolve("b.cfg");
        Files.writeString(a, "x = 1\n");
        Files.writeString(b, "y = 1\n");
        files.examine(a);
        files.examine(b);
        files.changed(b);
        awaitHandedOver(2);
        assertEquals(java.util.Set.of("examined: x = 1\n", "settled: y = 1\n"), java.util.Set.copyOf(handed));
    }

    private void awaitHandedOver(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (handed.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, handed.size(), "handed over: " + handed);
    }
}
