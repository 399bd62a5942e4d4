package io.switchboard.accesslog.impl;

import java.time.ZoneId;

/**
 * One JSON object per line, every field always present (null when unknown), durations in
 * microseconds (-1 when unknown): for log shippers that want names, not positions.
 */
final class JsonFormat implements LogFormat {
    private final SecondText time;
    private final SecondText offset;

    JsonFormat(ZoneId zone) {
        time = new SecondText("yyyy-MM-dd'T'HH:mm:ss", zone);
        offset = new SecondText("xxx", zone);
    }

    @Override
    public void format(LogEntry e, long startMillis, StringBuilder out) {
        out.append("{\"time\":\"").append(time.of(startMillis)).append('.');
        SecondText.millis(out, startMillis);
        out.append(offset.of(startMillis)).append("\",\"client\":");
        LogText.json(out, e.client == null ? null : LogText.ip(e.client));
        out.append(",\"client_port\":").append(LogText.port(e.client)).append(",\"frontend\":");
        LogText.json(out, e.frontend);
        out.append(",\"cluster\":");
        LogText.json(out, e.cluster);
        out.append(",\"endpoint\":");
        LogText.json(out, e.endpoint);
        out.append(",\"method\":");
        LogText.json(out, e.method);
        out.append(",\"uri\":");
        LogText.json(out, e.target);
        out.append(",\"protocol\":");
        LogText.json(out, e.protocol);
        out.append(",\"status\":").append(e.status == 0 ? "null" : Integer.toString(e.status))
                .append(",\"request_body_bytes\":").append(e.requestBodyBytes)
                .append(",\"bytes_sent\":").append(e.bytesSent)
                .append(",\"body_bytes_sent\":").append(e.bodyBytesSent)
                .append(",\"referer\":");
        LogText.json(out, e.referer);
        out.append(",\"user_agent\":");
        LogText.json(out, e.userAgent);
        out.append(",\"duration_us\":").append(LogText.micros(e.endNanos - e.startNanos))
                .append(",\"connect_us\":").append(LogText.micros(e.connectNanos))
                .append(",\"response_us\":").append(LogText.micros(e.responseNanos))
                .append(",\"retries\":").append(e.retries)
                .append(",\"termination\":");
        LogText.json(out, e.termination);
        out.append('}');
    }
}
