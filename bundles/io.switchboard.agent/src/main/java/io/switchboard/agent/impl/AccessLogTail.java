package io.switchboard.agent.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Requests per second and mean execution time from the lines appended to an access log since the
 * previous sample. Each complete line is one request; a line not yet ended by a newline waits for
 * the next sample.
 *
 * <p>Rotation: a file that is replaced (another inode) is read from its start, and so is one that
 * shrank (truncated in place, e.g. {@code copytruncate}). Lines written to the old file after the
 * last sample are not counted. On the first sample the existing content is skipped: it is history,
 * not current load.
 */
final class AccessLogTail implements TrafficSource {
    /** A line longer than this is counted but its time is not parsed, and memory stays bounded. */
    private static final int MAX_LINE = 64 * 1024;

    private final Path file;
    private final ExecutionTimeField timeField;
    private Object fileKey;
    private long position;
    private boolean seenFile;
    private long lastNanos;
    private boolean hasLast;
    /** The unfinished last line (bytes after the last newline), at most MAX_LINE. */
    private final StringBuilder pending = new StringBuilder();
    private boolean pendingTooLong;

    AccessLogTail(Path file, ExecutionTimeField timeField) {
        this.file = file;
        this.timeField = timeField;
    }

    @Override
    public Traffic sample(long nowNanos) {
        Counts counts;
        try {
            counts = readNewLines();
        } catch (NoSuchFileException gone) {
            // Between a rename and the new file's creation: the next file is read from its start.
            forgetFile();
            counts = null;
        } catch (IOException e) {
            counts = null;
        }
        boolean rateKnown = hasLast && counts != null;
        double seconds = (nowNanos - lastNanos) / 1e9;
        lastNanos = nowNanos;
        hasLast = true;
        if (!rateKnown || seconds <= 0) {
            return null;
        }
        Double avg = counts.timed == 0 ? null : counts.millis / counts.timed;
        return new Traffic(counts.lines / seconds, avg);
    }

    private void forgetFile() {
        fileKey = null;
        position = 0;
        seenFile = true;
        pending.setLength(0);
        pendingTooLong = false;
    }

    private Counts readNewLines() throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        Object key = attrs.fileKey();
        long size = attrs.size();
        if (!seenFile) {
            seenFile = true;
            fileKey = key;
            position = size;
            return new Counts();
        }
        if (!Objects.equals(key, fileKey) || size < position) {
            forgetFile();
            fileKey = key;
        }
        Counts counts = new Counts();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            ch.position(position);
            int n;
            while ((n = ch.read(buf)) > 0) {
                position += n;
                consume(buf.array(), n, counts);
                buf.clear();
            }
        }
        return counts;
    }

    private void consume(byte[] bytes, int n, Counts counts) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i);
                line(counts);
                start = i + 1;
            }
        }
        append(bytes, start, n);
    }

    private void append(byte[] bytes, int from, int to) {
        if (pendingTooLong) {
            return;
        }
        if (pending.length() + (to - from) > MAX_LINE) {
            pendingTooLong = true;
            pending.setLength(0);
            return;
        }
        // Log lines are ASCII in practice; ISO-8859-1 maps every byte, so no byte breaks decoding.
        pending.append(new String(bytes, from, to - from, StandardCharsets.ISO_8859_1));
    }

    private void line(Counts counts) {
        counts.lines++;
        if (!pendingTooLong) {
            Double ms = timeField.millis(pending);
            if (ms != null) {
                counts.millis += ms;
                counts.timed++;
            }
        }
        pending.setLength(0);
        pendingTooLong = false;
    }

    private static final class Counts {
        long lines;
        long timed;
        double millis;
    }
}
