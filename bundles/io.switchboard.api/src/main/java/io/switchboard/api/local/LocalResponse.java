package io.switchboard.api.local;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link LocalApplication}'s answer: status, headers and the whole body. Immutable; {@code with...}
 * methods return a copy. The platform sets {@code Content-Length} and the connection headers itself.
 */
public final class LocalResponse {
    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;

    public LocalResponse(int status, Map<String, String> headers, byte[] body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status out of range 100..999: " + status);
        }
        this.status = status;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.body = body == null ? new byte[0] : body.clone();
    }

    /** A response with this content type and body. */
    public static LocalResponse of(int status, String contentType, byte[] body) {
        return new LocalResponse(status, Map.of("Content-Type", contentType), body);
    }

    /** A plain-text (UTF-8) response. */
    public static LocalResponse text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** The same response with one more header (replacing one of the same name). */
    public LocalResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new LocalResponse(status, h, body);
    }

    public int status() { return status; }
    public Map<String, String> headers() { return headers; }
    /** A copy of the body. */
    public byte[] body() { return body.clone(); }
    /** The body's length in bytes. */
    public int bodyLength() { return body.length; }
}
