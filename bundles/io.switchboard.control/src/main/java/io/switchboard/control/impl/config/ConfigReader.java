package io.switchboard.control.impl.config;

import java.net.URI;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one configuration's properties strictly: typed values, ranges, required keys, and no key
 * that the configuration does not know (a typo must not pass silently).
 */
public final class ConfigReader {
    /** Property FileInstall (and our JSON installer) set to the file a configuration came from. */
    public static final String FILENAME = "felix.fileinstall.filename";

    private final Map<String, ?> props;
    private final Set<String> known;

    public ConfigReader(Map<String, ?> props, Collection<String> knownKeys) {
        this.props = props;
        this.known = new TreeSet<>(knownKeys);
    }

    /** Where the configuration came from, for messages: the file name, else the PID. */
    public String source() {
        Object file = props.get(FILENAME);
        if (file != null) {
            String f = file.toString();
            try {
                return ConfigNames.display((f.startsWith("file:") ? Paths.get(URI.create(f)) : Paths.get(f)).toFile());
            } catch (RuntimeException e) {
                return f;
            }
        }
        Object pid = props.get("service.pid");
        return pid == null ? "(no pid)" : "pid " + pid;
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

    static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")
                || key.startsWith("osgi.") || key.startsWith(".") || key.startsWith(":")
                || key.endsWith(".target");
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

    public String requiredString(String key) throws ConfigProblem {
        String s = string(key, null);
        if (s == null) {
            throw new ConfigProblem(key, "missing (required)");
        }
        return s;
    }

    public int integer(String key, Integer dflt, int min, int max) throws ConfigProblem {
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
        return (int) n;
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
