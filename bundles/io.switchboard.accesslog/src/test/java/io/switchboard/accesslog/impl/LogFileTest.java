package io.switchboard.accesslog.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFileTest {
    @TempDir
    Path dir;

    private final LogCounters counters = new LogCounters();
    private final List<String> problems = new ArrayList<>();

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-03-14T22:59:58Z");

        @Override public ZoneId getZone() { return ZoneId.of("UTC"); }
        @Override public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
        @Override public Instant instant() { return now; }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final HandClock clock = new HandClock();

    private LogFile file(Path path, long rotateBytes, boolean daily, int keep) {
        LogFile f = new LogFile(path, rotateBytes, daily, keep, clock, counters, problems::add);
        f.open();
        return f;
    }

    /** A 99-character line (100 bytes with its line end) numbered n. */
    private static String line(int n) {
        String s = "line " + n + " ";
        return s + "x".repeat(99 - s.length());
    }

    @Test
    void rotatesBySizeAndKeepsTheNewestN() throws Exception {
        Path log = dir.resolve("logs/access.log");
        LogFile f = file(log, 4096, false, 2);
        for (int i = 0; i < 200; i++) { // 20,000 bytes: 40 lines a file, 5 files' worth
            f.append(line(i));
        }
        f.close();
        assertTrue(Files.exists(log));
        assertTrue(Files.exists(dir.resolve("logs/access.log.1")));
        assertTrue(Files.exists(dir.resolve("logs/access.log.2")));
        assertFalse(Files.exists(dir.resolve("logs/access.log.3")), "only 2 rotated files are kept");
        for (Path p : List.of(log, dir.resolve("logs/access.log.1"), dir.resolve("logs/access.log.2"))) {
            assertTrue(Files.size(p) <= 4096, p + " is " + Files.size(p) + " bytes");
        }
        List<String> current = Files.readAllLines(log);
        List<String> previous = Files.readAllLines(dir.resolve("logs/access.log.1"));
        List<String> oldest = Files.readAllLines(dir.resolve("logs/access.log.2"));
        assertEquals(line(199), current.get(current.size() - 1));
        assertEquals(line(160), current.get(0), "each file starts where the one before ended: 40 lines each");
        assertEquals(line(120), previous.get(0));
        assertEquals(line(159), previous.get(previous.size() - 1));
        assertEquals(line(80), oldest.get(0));
        assertEquals(200, counters.written.sum());
        assertEquals(0, counters.failed.sum());
        assertEquals(List.of(), problems);
    }

    @Test
    void aSmallerKeepDeletesTheRotatedFilesPastIt() throws Exception {
        Path log = dir.resolve("access.log");
        LogFile f = file(log, 4096, false, 3);
        for (int i = 0; i < 200; i++) {
            f.append(line(i));
        }
        f.close();
        assertTrue(Files.exists(dir.resolve("access.log.3")));
        LogFile g = file(log, 4096, false, 1);
        for (int i = 0; i < 50; i++) {
            g.append(line(i));
        }
        g.close();
        assertTrue(Files.exists(dir.resolve("access.log.1")));
        assertFalse(Files.exists(dir.resolve("access.log.2")));
        assertFalse(Files.exists(dir.resolve("access.log.3")));
    }

    @Test
    void rotatesAtMidnightWhenAskedTo() throws Exception {
        Path log = dir.resolve("access.log");
        LogFile f = file(log, 0, true, 5);
        f.append(line(1));
        clock.advance(Duration.ofSeconds(3)); // 23:00:01 UTC on the 14th: same day
        f.housekeeping();
        f.append(line(2));
        clock.advance(Duration.ofHours(1)); // 00:00:01 on the 15th
        f.housekeeping();
        f.append(line(3));
        f.close();
        assertEquals(List.of(line(1), line(2)), Files.readAllLines(dir.resolve("access.log.1")));
        assertEquals(List.of(line(3)), Files.readAllLines(log));
    }

    @Test
    void opensThePathAgainWhenTheFileWasMovedAway() throws Exception {
        Path log = dir.resolve("access.log");
        LogFile f = file(log, 0, false, 0);
        f.append(line(1));
        f.flush();
        Path moved = dir.resolve("access.log-20260314");
        Files.move(log, moved); // what logrotate does
        f.append(line(2)); // buffered before the check: goes to the moved file, as logrotate expects
        clock.advance(Duration.ofMillis(1000));
        f.housekeeping();
        f.append(line(3));
        f.close();
        assertEquals(List.of(line(1), line(2)), Files.readAllLines(moved));
        assertEquals(List.of(line(3)), Files.readAllLines(log));
        assertEquals(3, counters.written.sum());
    }

    @Test
    void opensThePathAgainWhenTheFileWasDeleted() throws Exception {
        Path log = dir.resolve("access.log");
        LogFile f = file(log, 0, false, 0);
        f.append(line(1));
        f.flush();
        Files.delete(log);
        clock.advance(Duration.ofMillis(1000));
        f.housekeeping();
        f.append(line(2));
        f.close();
        assertEquals(List.of(line(2)), Files.readAllLines(log));
    }

    @Test
    void aFullDiskCountsTheLinesAsFailedAndNamesTheError() {
        LogFile f = file(Path.of("/dev/full"), 0, false, 0); // every write: ENOSPC
        f.append(line(1));
        f.append(line(2));
        f.flush();
        f.append(line(3));
        f.close();
        assertEquals(0, counters.written.sum());
        assertEquals(3, counters.failed.sum());
        assertTrue(problems.get(0).contains("cannot write /dev/full") && problems.get(0).contains("No space left on device"),
                problems.toString());
        assertTrue(counters.lastError.get().contains("No space left on device"));
    }

    @Test
    void aFileThatCannotBeOpenedCountsItsLinesAsFailedAndIsTriedAgainEachSecond() throws Exception {
        Path notADir = dir.resolve("plain-file");
        Files.writeString(notADir, "x");
        Path log = notADir.resolve("access.log");
        LogFile f = file(log, 0, false, 0);
        assertTrue(problems.get(0).contains("cannot open " + log), problems.toString());
        f.append(line(1));
        f.flush();
        assertEquals(1, counters.failed.sum());
        Files.delete(notADir); // the operator fixes it
        clock.advance(Duration.ofMillis(1000));
        f.housekeeping();
        f.append(line(2));
        f.close();
        assertEquals(List.of(line(2)), Files.readAllLines(log));
        assertEquals(1, counters.written.sum());
    }
}
