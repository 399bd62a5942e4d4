package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTailTest {
    static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void countsNewLinesPerSecondAndAveragesTheLastField() throws Exception {
        Path log = dir.resolve("access.log");
        append(log, line(0.5) + line(0.5)); // history: not counted
        AccessLogTail tail = new AccessLogTail(log, new ExecutionTimeField(null, 1000));
        assertNull(tail.sample(0), "first sample only sets the start");

        append(log, line(0.010) + line(0.030) + line(0.020) + line(0.040));
        Traffic t = tail.sample(2 * SECOND);
        assertEquals(2.0, t.requestsPerSecond(), 1e-9);
        assertEquals(25.0, t.averageExecutionMillis(), 1e-9);

        Traffic idle = tail.sample(3 * SECOND);
        assertEquals(0.0, idle.requestsPerSecond(), 1e-9);
        assertNull(idle.averageExecutionMillis(), "no request, no execution time");
    }

    @Test
    void aLineWaitsForItsNewlineAndUnparsableTimesAreNotAveraged() throws Exception {
        Path log = dir.resolve("access.log");
        Files.createFile(log);
        AccessLogTail tail = new AccessLogTail(log, new ExecutionTimeField(null, 1000));
        tail.sample(0);
        append(log, line(0.1) + "GET /half 200 0.3");
        Traffic t = tail.sample(SECOND);
        assertEquals(1.0, t.requestsPerSecond(), 1e-9);
        assertEquals(100.0, t.averageExecutionMillis(), 1e-6);
        append(log, "00\nGET /upstream-less 200 -\n");
        t = tail.sample(2 * SECOND);
        assertEquals(2.0, t.requestsPerSecond(), 1e-9);
        assertEquals(300.0, t.averageExecutionMillis(), 1e-6, "the completed line reads 0.300; '-' is no time");
    }

    @Test
    void followsRotationByRenameAndByTruncation() throws Exception {
        Path log = dir.resolve("access.log");
        append(log, line(1));
        AccessLogTail tail = new AccessLogTail(log, new ExecutionTimeField(null, 1000));
        tail.sample(0);
        append(log, line(0.1));
        assertEquals(1.0, tail.sample(SECOND).requestsPerSecond(), 1e-9);

        // logrotate's default: rename, then the server opens a new file
        Files.move(log, dir.resolve("access.log.1"));
        assertNull(tail.sample(2 * SECOND), "no file between rename and re-open: unknown, not 0");
        append(log, line(0.2) + line(0.2) + line(0.2));
        Traffic t = tail.sample(3 * SECOND);
        assertEquals(3.0, t.requestsPerSecond(), 1e-9, "the new file is read from its start");

        // rename and re-create within one interval: another inode
        Files.move(log, dir.resolve("access.log.2"));
        append(log, line(0.2));
        assertEquals(1.0, tail.sample(4 * SECOND).requestsPerSecond(), 1e-9);

        append(log, line(0.1) + line(0.1) + line(0.1) + line(0.1));
        assertEquals(4.0, tail.sample(5 * SECOND).requestsPerSecond(), 1e-9);
        // copytruncate: same inode, now smaller than what was read
        Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        append(log, line(0.3) + line(0.3));
        t = tail.sample(6 * SECOND);
        assertEquals(2.0, t.requestsPerSecond(), 1e-9);
        assertEquals(300.0, t.averageExecutionMillis(), 1e-6);
    }

    @Test
    void aRegexGroupAndUnitChooseTheTimeField() throws Exception {
        Path log = dir.resolve("access.log");
        Files.createFile(log);
        ExecutionTimeField field = new ExecutionTimeField(Pattern.compile("rt=(\\d+)us"), 0.001);
        AccessLogTail tail = new AccessLogTail(log, field);
        tail.sample(0);
        append(log, "GET / 200 rt=1500us size=10\nGET / 200 rt=2500us size=12\nGET / 500 size=0\n");
        Traffic t = tail.sample(SECOND);
        assertNotNull(t);
        assertEquals(3.0, t.requestsPerSecond(), 1e-9);
        assertEquals(2.0, t.averageExecutionMillis(), 1e-9);
    }

    static String line(double seconds) {
        return "10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 612 " + seconds + "\n";
    }

    static void append(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
