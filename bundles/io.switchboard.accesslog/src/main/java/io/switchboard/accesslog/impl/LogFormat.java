package io.switchboard.accesslog.impl;

/** How an entry becomes one line. Runs on the writer thread only; output is ASCII (anything else escaped). */
interface LogFormat {
    /**
     * Appends the entry's line, without the line end.
     *
     * @param startMillis wall-clock time (epoch milliseconds) when the request head had been read
     */
    void format(LogEntry e, long startMillis, StringBuilder out);

    static LogFormat byName(String name, java.time.ZoneId zone) {
        switch (name) {
            case "combined":
                return new CombinedFormat(zone);
            case "haproxy":
                return new HaproxyFormat(zone);
            case "json":
                return new JsonFormat(zone);
            default:
                throw new IllegalArgumentException("no format " + name);
        }
    }
}
