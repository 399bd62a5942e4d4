package io.switchboard.agent.impl;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the agent's options ({@code --name value} or {@code --name=value}) into {@link AgentOptions},
 * checking each one, so that a bad value is one clear line rather than a failure later.
 */
final class CommandLine {
    /** Every option with its help text, in the order of the usage. */
    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("service-port", "N     local port of the watched service (required)");
        OPTIONS.put("listen", "N           port the agent answers on (default 5555; 0 = any free port)");
        OPTIONS.put("bind", "ADDR          address to bind (default 0.0.0.0)");
        OPTIONS.put("interval-ms", "N      time between samples (default 1000, 100..3600000)");
        OPTIONS.put("access-log", "FILE    access log to tail for requests/s and execution time");
        OPTIONS.put("time-regex", "REGEX   regex with one group: the execution time in a log line"
                + " (default: the last field)");
        OPTIONS.put("time-unit", "s|ms|us  unit of the logged execution time (default s, as nginx $request_time)");
        OPTIONS.put("status-url", "URL     nginx stub_status URL, instead of --access-log (requests/s only)");
        OPTIONS.put("state-file", "FILE    operator override: tokens such as 'drain', '25%', '40% drain'");
        OPTIONS.put("max-clients", "N      clients at which the capacity reaches its floor (default 0 = no limit)");
        OPTIONS.put("read-window-ms", "N   how long a request line is awaited before answering (default 50)");
        OPTIONS.put("write-timeout-ms", "N how long a client has to take its answer (default 1000)");
    }

    private CommandLine() {
    }

    static boolean wantsHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    static String usage() {
        StringBuilder b = new StringBuilder("usage: java -jar io.switchboard.agent.jar --service-port N [options]\n");
        OPTIONS.forEach((name, help) -> b.append("  --").append(name).append(' ').append(help).append('\n'));
        b.append("  --help               this text\n");
        return b.toString();
    }

    static AgentOptions parse(List<String> args) throws UsageException {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            if (!OPTIONS.containsKey(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (v.put(name, value) != null) {
                throw new UsageException("--" + name + " is given twice");
            }
        }
        return options(v);
    }

    private static AgentOptions options(Map<String, String> v) throws UsageException {
        if (!v.containsKey("service-port")) {
            throw new UsageException("--service-port is required");
        }
        int servicePort = integer(v, "service-port", 0, 1, 65535);
        int listen = integer(v, "listen", AgentOptions.DEFAULT_LISTEN, 0, 65535);
        String bind = v.getOrDefault("bind", AgentOptions.DEFAULT_BIND).strip();
        if (bind.isEmpty()) {
            throw new UsageException("--bind: an address is needed");
        }
        int interval = integer(v, "interval-ms", AgentOptions.DEFAULT_INTERVAL, 100, 3_600_000);
        Path accessLog = path(v, "access-log");
        URL statusUrl = url(v);
        if (accessLog != null && statusUrl != null) {
            throw new UsageException("--access-log and --status-url exclude each other: give one");
        }
        if (accessLog == null && (v.containsKey("time-regex") || v.containsKey("time-unit"))) {
            throw new UsageException("--time-regex and --time-unit apply to --access-log, which is not given");
        }
        return new AgentOptions(servicePort, listen, bind, interval, accessLog, regex(v), millisPerUnit(v), statusUrl,
                path(v, "state-file"), integer(v, "max-clients", 0, 0, 1_000_000_000),
                integer(v, "read-window-ms", AgentOptions.DEFAULT_READ_WINDOW, 0, 10_000),
                integer(v, "write-timeout-ms", AgentOptions.DEFAULT_WRITE_TIMEOUT, 1, 60_000));
    }

    private static int integer(Map<String, String> v, String name, int dflt, int min, int max) throws UsageException {
        String s = v.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(s.strip());
            if (n >= min && n <= max) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + name + ": '" + s + "' is not a whole number in " + min + ".." + max);
    }

    private static Path path(Map<String, String> v, String name) throws UsageException {
        String s = v.get(name);
        if (s == null) {
            return null;
        }
        try {
            if (s.isBlank()) {
                throw new InvalidPathException(s, "empty");
            }
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new UsageException("--" + name + ": '" + s + "' is not a file name");
        }
    }

    private static URL url(Map<String, String> v) throws UsageException {
        String s = v.get("status-url");
        if (s == null) {
            return null;
        }
        try {
            URI u = new URI(s);
            if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                throw new UsageException("--status-url: '" + s + "' is not an http:// URL with a host");
            }
            return u.toURL();
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            throw new UsageException("--status-url: '" + s + "' is not a URL");
        }
    }

    private static Pattern regex(Map<String, String> v) throws UsageException {
        String s = v.get("time-regex");
        if (s == null) {
            return null;
        }
        try {
            Pattern p = Pattern.compile(s);
            if (p.matcher("").groupCount() != 1) {
                throw new UsageException("--time-regex: '" + s + "' must have exactly one group, it has "
                        + p.matcher("").groupCount());
            }
            return p;
        } catch (PatternSyntaxException e) {
            throw new UsageException("--time-regex: '" + s + "' is not a regex: " + e.getDescription());
        }
    }

    private static double millisPerUnit(Map<String, String> v) throws UsageException {
        String s = v.getOrDefault("time-unit", "s");
        switch (s) {
            case "s": return 1000;
            case "ms": return 1;
            case "us": return 0.001;
            default: throw new UsageException("--time-unit: '" + s + "' is not s, ms or us");
        }
    }
}
