package io.switchboard.accesslog.impl;

import java.time.ZoneId;

/**
 * HAProxy's HTTP log format ({@code option httplog}), field for field, so its tools (halog) read it:
 * <pre>
 * client:port [accept date] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes - - termination
 *   actconn/feconn/beconn/srv_conn/retries srv_queue/backend_queue "request line"
 * </pre>
 * Timers in milliseconds, -1 when unknown or not reached: Tq (the time to read the request head) is
 * not measured, so always -1; Tw is 0 (no queue) once the request was dispatched; Tc is 0 on a
 * pooled connection. The connection counts are not tracked and are written as 0; retries are real;
 * there are no queues (0/0). A request with no server is {@code <NOSRV>}, one that could not be
 * read {@code <BADREQ>}; a client that left before any response has status -1.
 */
final class HaproxyFormat implements LogFormat {
    private final SecondText time;

    HaproxyFormat(ZoneId zone) {
        time = new SecondText("dd/MMM/yyyy:HH:mm:ss", zone);
    }

    @Override
    public void format(LogEntry e, long startMillis, StringBuilder out) {
        out.append(LogText.ip(e.client)).append(':').append(LogText.port(e.client))
                .append(" [").append(time.of(startMillis)).append('.');
        SecondText.millis(out, startMillis);
        out.append("] ");
        LogText.escaped(out, e.frontend);
        out.append(' ');
        LogText.escaped(out, e.cluster == null ? e.frontend : e.cluster);
        out.append('/');
        if (e.endpoint == null) {
            out.append("<NOSRV>");
        } else {
            LogText.escaped(out, e.endpoint);
        }
        boolean dispatched = e.cluster != null && e.endpoint != null;
        out.append(" -1/").append(dispatched ? 0 : -1).append('/').append(LogText.millis(e.connectNanos))
                .append('/').append(LogText.millis(e.responseNanos)).append('/').append(e.totalMillis())
                .append(' ').append(e.status == 0 ? -1 : e.status).append(' ').append(e.bytesSent)
                .append(" - - ").append(e.termination == null ? "----" : e.termination)
                .append(" 0/0/0/0/").append(e.retries).append(" 0/0 \"");
        if (e.method == null) {
            out.append("<BADREQ>");
        } else {
            LogText.escaped(out, e.method);
            out.append(' ');
            LogText.escaped(out, e.target);
            out.append(' ');
            LogText.escaped(out, e.protocol);
        }
        out.append('"');
    }
}
