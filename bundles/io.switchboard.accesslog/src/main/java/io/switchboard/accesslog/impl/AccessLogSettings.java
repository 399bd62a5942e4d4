package io.switchboard.accesslog.impl;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The access log's settings, checked: every problem names the key and the reason. */
final class AccessLogSettings {
    static final List<String> KEYS = List.of("enabled", "path", "format", "ringSize", "rotateBytes", "rotateDaily", "keep");
    static final String DEFAULT_PATH = "logs/access.log";
    static final long DEFAULT_ROTATE_BYTES = 100L << 20;

    final boolean enabled;
    final Path path;
    final String format;
    final int ringSize;
    final long rotateBytes;
    final boolean rotateDaily;
    final int keep;

    AccessLogSettings(boolean enabled, Path path, String format, int ringSize, long rotateBytes, boolean rotateDaily, int keep) {
        this.enabled = enabled;
        this.path = path;
        this.format = format;
        this.ringSize = ringSize;
        this.rotateBytes = rotateBytes;
        this.rotateDaily = rotateDaily;
        this.keep = keep;
    }

    /** Off: what runs with no configuration file. */
    static final AccessLogSettings DEFAULTS = new AccessLogSettings(false, Path.of(DEFAULT_PATH), "combined", 8192,
            DEFAULT_ROTATE_BYTES, false, 10);

    static AccessLogSettings parse(Map<String, ?> props) throws ConfigProblem {
        ConfigReader r = new ConfigReader(props, KEYS);
        r.rejectUnknownKeys();
        String p = r.string("path", DEFAULT_PATH);
        Path path;
        try {
            path = Path.of(p);
        } catch (InvalidPathException e) {
            throw new ConfigProblem("path", "'" + p + "' is not a path: " + e.getReason());
        }
        if (path.getFileName() == null) {
            throw new ConfigProblem("path", "'" + p + "' names no file");
        }
        int ringSize = r.integer("ringSize", 8192, 16, 1 << 22);
        if (Integer.bitCount(ringSize) != 1) {
            throw new ConfigProblem("ringSize", ringSize + " is not a power of two");
        }
        long rotateBytes = r.longValue("rotateBytes", DEFAULT_ROTATE_BYTES, 0, Long.MAX_VALUE);
        if (rotateBytes > 0 && rotateBytes < 4096) {
            throw new ConfigProblem("rotateBytes", rotateBytes + " is below 4096 (0 turns rotation by size off)");
        }
        return new AccessLogSettings(
                r.bool("enabled", false),
                path,
                r.choice("format", "combined", "combined", "haproxy", "json"),
                ringSize,
                rotateBytes,
                r.bool("rotateDaily", false),
                r.integer("keep", 10, 0, 1000));
    }

    /** For operators: what is written where, and how it rotates. */
    String describe() {
        if (!enabled) {
            return "off (enabled = false in conf/io.switchboard.accesslog.cfg)";
        }
        StringBuilder sb = new StringBuilder().append(format).append(" to ").append(ConfigReader.display(path));
        if (rotateBytes > 0) {
            sb.append(", rotated at ").append(bytes(rotateBytes));
        }
        if (rotateDaily) {
            sb.append(rotateBytes > 0 ? " and daily" : ", rotated daily");
        }
        if (rotateBytes > 0 || rotateDaily) {
            sb.append(", ").append(keep).append(" kept");
        } else {
            sb.append(", not rotated (an external logrotate may move it: it is opened again within a second)");
        }
        return sb.append(", ring of ").append(ringSize).append(" entries").toString();
    }

    private static String bytes(long n) {
        if (n % (1L << 30) == 0) {
            return (n >> 30) + " GiB";
        }
        if (n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n % (1L << 10) == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " bytes";
    }
}
