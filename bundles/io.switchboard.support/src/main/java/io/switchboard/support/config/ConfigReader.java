package io.switchboard.support.config;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one configuration's properties strictly: typed values, ranges, required keys, and no key
 * that the configuration does not know (a typo must not pass silently). Every problem names the key
 * and the reason; {@link #source()} names the file, so that a log line says where to look.
 */
public final class ConfigReader {
    /** Property FileInstall (and the platform's own installers) set to the file a configuration came from. */
    public static final String FILENAME = "felix.fileinstall.filename";

    private final Map<String, ?> props;
    private final Set<String> known;

    public ConfigReader(Map<String, ?> props, Collection<String> knownKeys) {
        this.props = props;
        this.known = new TreeSet<>(knownKeys);
    }

    /** Where the configuration came from, for messages: the file (relative to the working directory when below it), else the PID. */
    public String source() {
        Object file = props.get(FILENAME);
        if (file != null) {
            String f = file.toString();
            try {
                return display(f.startsWith("file:") ? Paths.get(URI.create(f)) : Paths.get(f));
            } catch (RuntimeException e) {
                return f;
            }
        }
        Object pid = props.get("service.pid");
        return pid == null ? "(no pid)" : "pid " + pid;
    }

    /**
     * Whether two sources ({@link #source()}) name the same configuration: the same text, or a PID
     * and the file FileInstall maps to it ({@code FACTORYPID-NAME.ext} is {@code FACTORYPID~NAME}).
     * A configuration a bundle created may later be written as a file: that is an edit, not a conflict.
     */
    public static boolean sameConfiguration(String a, String b) {
        if (a == null || b == null || a.equals(b)) {
            return a != null && a.equals(b);
        }
        return pidOf(a).equals(pidOf(b));
    }

    private static String pidOf(String source) {
        if (source.startsWith("pid ")) {
            return source.substring(4);
        }
        String name = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        String base = name.replaceAll("\\.[^.]*$", "");
        int dash = base.indexOf('-');
        return dash > 0 ? base.substring(0, dash) + "~" + base.substring(dash + 1) : base;
    }

    /** A file relative to the working directory when it lies below it. */
    public static String display(Path file) {
        Path p = file.toAbsolutePath();
        Path cwd = Paths.get("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    /**
     * The log line for a configuration that was not applied: {@code config rejected: FILE: key 'K':
     * REASON; CONSEQUENCE}.
     */
    public String rejected(ConfigProblem problem, String consequence) {
        return "config rejected: " + source() + ": " + problem.getMessage() + "; " + consequence;
    }

    /**
     * The instance name: the {@code name} key if given, else the part of the PID after '~' (Config
     * Admin named factory configuration), else the file name's part after the first '-'.
     */
    public String instanceName() throws ConfigProblem {
        String explicit = string("name", null);
        if (explicit != null) {
            return checkName(explicit);
        }
        Object pid = props.get("service.pid");
        if (pid != null && pid.toString().contains("~")) {
            return checkName(pid.toString().substring(pid.toString().indexOf('~') + 1));
        }
        Object file = props.get(FILENAME);
        if (file != null) {
            String base = file.toString().replaceAll(".*/", "").replaceAll("\\.[^.]*$", "");
            int dash = base.indexOf('-');
            if (dash > 0 && dash < base.length() - 1) {
                return checkName(base.substring(dash + 1));
            }
        }
        throw new ConfigProblem("name", "missing (set 'name', or name the file <pid>-<name>.cfg)");
    }

    private static String checkName(String name) throws ConfigProblem {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigProblem("name", "'" + name + "' is not a name (letters, digits, '.', '_', '-')");
        }
        return name;
    }

    public void rejectUnknownKeys() throws ConfigProblem {
        for (String key : props.keySet()) {
            if (!known.contains(key) && !isFrameworkKey(key)) {
                throw new ConfigProblem(key, "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }

    /** Keys that Config Admin, FileInstall and Declarative Services add, never the operator's. */
    public static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")
                || key.startsWith("osgi.") || key.startsWith(".") || key.startsWith(":")
                || key.endsWith(".target");
    }

    /** Whether the configuration sets the key. */
    public boolean has(String key) {
        return props.get(key) != null;
    }

    public String string(String key, String dflt) throws ConfigProblem {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String[] || v instanceof Collection) {
            throw new ConfigProblem(key, "expected one value, got a list");
        }
        String s = v.toString().trim();
        if (s.isEmpty()) {
            throw new ConfigProblem(key, "empty value");
        }
        return s;
    }

    /** A string that may be set empty (e.g. to turn something off). */
    public String optionalString(String key, String dflt) throws ConfigProblem {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String[] || v instanceof Collection) {
            throw new ConfigProblem(key, "expected one value, got a list");
        }
        return v.toString().trim();
    }

    public String requiredString(String key) throws ConfigProblem {
        String s = string(key, null);
        if (s == null) {
            throw new ConfigProblem(key, "missing (required)");
        }
        return s;
    }

    /** One of the choices, compared case-insensitively; returned as listed. */
    public String choice(String key, String dflt, String... choices) throws ConfigProblem {
        String s = string(key, dflt);
        for (String c : choices) {
            if (c.equalsIgnoreCase(s)) {
                return c;
            }
        }
        throw new ConfigProblem(key, "'" + s + "' is not one of " + String.join(", ", choices));
    }

    public boolean bool(String key, boolean dflt) throws ConfigProblem {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("yes") || s.equals("on")) {
            return true;
        }
        if (s.equals("false") || s.equals("no") || s.equals("off")) {
            return false;
        }
        throw new ConfigProblem(key, "'" + v + "' is not true or false");
    }

    public int integer(String key, Integer dflt, int min, int max) throws ConfigProblem {
        return (int) longValue(key, dflt == null ? null : (long) dflt, min, max);
    }

    public long longValue(String key, Long dflt, long min, long max) throws ConfigProblem {
        Object v = props.get(key);
        if (v == null) {
            if (dflt == null) {
                throw new ConfigProblem(key, "missing (required)");
            }
            return dflt;
        }
        long n;
        if (v instanceof Number) {
            n = ((Number) v).longValue();
            if (((Number) v).doubleValue() != n) {
                throw new ConfigProblem(key, "'" + v + "' is not a whole number");
            }
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new ConfigProblem(key, "'" + v + "' is not a whole number");
            }
        }
        if (n < min || n > max) {
            throw new ConfigProblem(key, n + " is out of range " + min + ".." + max);
        }
        return n;
    }

    /** A list value: a String[], a Collection, or one comma-separated string. Empty items rejected. */
    public List<String> list(String key) throws ConfigProblem {
        Object v = props.get(key);
        List<String> raw = new ArrayList<>();
        if (v == null) {
            return raw;
        } else if (v instanceof String[]) {
            raw.addAll(Arrays.asList((String[]) v));
        } else if (v instanceof Collection) {
            for (Object o : (Collection<?>) v) {
                raw.add(String.valueOf(o));
            }
        } else {
            String s = v.toString().trim();
            if (s.isEmpty()) {
                return raw;
            }
            raw.addAll(Arrays.asList(s.split(",")));
        }
        List<String> out = new ArrayList<>();
        for (String item : raw) {
            String t = item.trim();
            if (t.isEmpty()) {
                throw new ConfigProblem(key, "empty list item in '" + v + "'");
            }
            out.add(t);
        }
        return out;
    }
}
