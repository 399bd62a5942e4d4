package io.switchboard.accesslog.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The log file, written by one thread: whole lines gathered in a buffer and written at once, the
 * size kept to rotate by ({@code path} moves to {@code path.1}, that to {@code path.2}, ..., the
 * oldest beyond {@code keep} deleted), a new file each day if asked, and the file opened again when
 * someone moved or deleted it (an external logrotate): checked once a second by the file's identity
 * (device and inode), one stat call.
 *
 * <p>Lines are counted, not just bytes: a buffer that reaches the operating system adds its lines to
 * {@code written}, one that cannot be written (disk full, no permission) adds them to {@code failed}
 * and is let go; the error goes to {@code problem}, which is expected to throttle it.
 */
final class LogFile implements AutoCloseable {
    static final int BUFFER_BYTES = 64 * 1024;
    private static final long CHECK_MILLIS = 1000;

    private final Path path;
    private final long rotateBytes;
    private final boolean rotateDaily;
    private final int keep;
    private final Clock clock;
    private final LogCounters counters;
    private final Consumer<String> problem;

    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;
    private int bufferedLines;
    private FileChannel channel;
    /** The open file's identity (device and inode on Linux). */
    private Object fileKey;
    /** Bytes in the file as open, written out. */
    private long size;
    private LocalDate day;
    private long lastOpenAttempt = Long.MIN_VALUE;
    private long lastCheck;
    private long lastFlush;

    LogFile(Path path, long rotateBytes, boolean rotateDaily, int keep, Clock clock, LogCounters counters, Consumer<String> problem) {
        this.path = path.toAbsolutePath();
        this.rotateBytes = rotateBytes;
        this.rotateDaily = rotateDaily;
        this.keep = keep;
        this.clock = clock;
        this.counters = counters;
        this.problem = problem;
    }

    Path path() {
        return path;
    }

    /** Opens (or creates) the file to append to; a failure is counted when lines come and it still fails. */
    void open() {
        long now = clock.millis();
        lastOpenAttempt = now;
        lastCheck = now;
        lastFlush = now;
        try {
            Path dir = path.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            channel = c;
            size = c.size();
            fileKey = identity();
            if (day == null) {
                day = LocalDate.ofInstant(clock.instant(), clock.getZone());
            }
        } catch (IOException | RuntimeException e) {
            channel = null;
            report("cannot open " + path + ": " + describe(e));
        }
    }

    /** Appends one line (ASCII, without its line end). */
    void append(CharSequence line) {
        int n = line.length() + 1;
        if (rotateBytes > 0 && size + buffered > 0 && size + buffered + n > rotateBytes) {
            flush();
            rotate();
        }
        if (buffered + n > buffer.length) {
            flush();
        }
        if (n > buffer.length) {
            writeAlone(line);
            return;
        }
        for (int i = 0; i < n - 1; i++) {
            buffer[buffered++] = (byte) line.charAt(i);
        }
        buffer[buffered++] = '\n';
        bufferedLines++;
    }

    private void writeAlone(CharSequence line) {
        byte[] b = new byte[line.length() + 1];
        for (int i = 0; i < line.length(); i++) {
            b[i] = (byte) line.charAt(i);
        }
        b[b.length - 1] = '\n';
        writeOut(b, b.length, 1);
    }

    /** Writes out what is buffered. */
    void flush() {
        lastFlush = clock.millis();
        if (buffered == 0) {
            return;
        }
        writeOut(buffer, buffered, bufferedLines);
        buffered = 0;
        bufferedLines = 0;
    }

    private void writeOut(byte[] bytes, int length, int lines) {
        if (channel == null && clock.millis() - lastOpenAttempt >= CHECK_MILLIS) {
            open();
        }
        if (channel == null) {
            counters.failed.add(lines);
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            size += length;
            counters.written.add(lines);
        } catch (IOException | RuntimeException e) {
            counters.failed.add(lines);
            report("cannot write " + path + ": " + describe(e));
        }
    }

    /**
     * Called by the writer between batches: flushes what waited a second, opens a new file after
     * midnight (rotateDaily), and opens the path again when the file there is no longer the one open.
     */
    void housekeeping() {
        long now = clock.millis();
        if (buffered > 0 && now - lastFlush >= CHECK_MILLIS) {
            flush();
        }
        if (now - lastCheck < CHECK_MILLIS) {
            return;
        }
        lastCheck = now;
        if (rotateDaily && day != null) {
            LocalDate today = LocalDate.ofInstant(clock.instant(), clock.getZone());
            if (!today.equals(day)) {
                flush();
                rotate();
                day = today;
                return;
            }
        }
        if (channel == null) {
            if (now - lastOpenAttempt >= CHECK_MILLIS) {
                open();
            }
            return;
        }
        Object key;
        try {
            key = identity();
        } catch (NoSuchFileException gone) {
            key = null;
        } catch (IOException | RuntimeException e) {
            return; // cannot tell: keep writing where we are
        }
        if (!Objects.equals(key, fileKey)) {
            // Moved or deleted by someone else: what is buffered goes to the file as it was (where
            // logrotate expects it), the next lines to a new file at the path.
            flush();
            closeChannel();
            open();
        }
    }

    private Object identity() throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    /** The file becomes path.1, path.1 becomes path.2, ...; the one past {@code keep} is deleted; a new file is opened. */
    void rotate() {
        closeChannel();
        try {
            if (keep == 0) {
                Files.deleteIfExists(path);
            } else {
                Files.deleteIfExists(numbered(keep));
                for (int i = keep - 1; i >= 1; i--) {
                    if (Files.exists(numbered(i))) {
                        Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                if (Files.exists(path)) {
                    Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // A smaller keep than before: the files past it go too.
            for (int i = keep + 1; Files.exists(numbered(i)); i++) {
                Files.delete(numbered(i));
            }
        } catch (IOException | RuntimeException e) {
            report("cannot rotate " + path + ": " + describe(e));
        }
        open();
    }

    Path numbered(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    @Override
    public void close() {
        flush();
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing buffered is lost: writes went straight to the channel
            }
            channel = null;
        }
    }

    private void report(String message) {
        counters.lastError.set(message);
        problem.accept("access log: " + message);
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
