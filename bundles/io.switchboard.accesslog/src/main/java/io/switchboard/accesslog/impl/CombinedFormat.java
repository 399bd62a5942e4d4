package io.switchboard.accesslog.impl;

import java.time.ZoneId;

/**
 * NGINX's {@code combined}: {@code $remote_addr - - [$time_local] "$request" $status
 * $body_bytes_sent "$http_referer" "$http_user_agent"}. A client that left before its response is
 * logged 499, as NGINX does; a request that could not be read has an empty request line.
 */
final class CombinedFormat implements LogFormat {
    static final int CLIENT_CLOSED = 499;
    private final SecondText time;

    CombinedFormat(ZoneId zone) {
        time = new SecondText("dd/MMM/yyyy:HH:mm:ss Z", zone);
    }

    @Override
    public void format(LogEntry e, long startMillis, StringBuilder out) {
        out.append(LogText.ip(e.client)).append(" - - [").append(time.of(startMillis)).append("] \"");
        if (e.method != null) {
            LogText.escaped(out, e.method);
            out.append(' ');
            LogText.escaped(out, e.target);
            out.append(' ');
            LogText.escaped(out, e.protocol);
        }
        out.append("\" ").append(e.status == 0 ? CLIENT_CLOSED : e.status).append(' ').append(e.bodyBytesSent).append(" \"");
        LogText.escaped(out, e.referer);
        out.append("\" \"");
        LogText.escaped(out, e.userAgent);
        out.append('"');
    }
}
