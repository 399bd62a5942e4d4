package io.switchboard.api.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** One HTTP request to a {@link LocalApplication}: immutable, read whole. */
public final class LocalRequest {
    /** The largest request body a local application is given (1 MiB). */
    public static final int MAX_BODY = 1 << 20;

    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    /**
     * @param method  upper case, e.g. {@code GET}
     * @param path    the decoded-as-sent path, starting with {@code /}
     * @param query   what follows {@code ?} in the target, without it; empty when there is none
     * @param headers header names (any case: they are kept in lower case) to their values in order
     * @param body    the body; empty when there is none
     */
    public LocalRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.query = query == null ? "" : query;
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
        h.replaceAll((k, v) -> List.copyOf(v));
        this.headers = Collections.unmodifiableMap(h);
        this.body = body == null ? new byte[0] : body.clone();
    }

    public String method() { return method; }
    public String path() { return path; }
    /** The query string without {@code ?}; empty when there is none. */
    public String query() { return query; }
    /** Every header, names in lower case. */
    public Map<String, List<String>> headers() { return headers; }

    /** The first value of the header (any case), or null. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A copy of the body. */
    public byte[] body() { return body.clone(); }

    /** The body as UTF-8 text. */
    public String bodyText() { return new String(body, StandardCharsets.UTF_8); }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query);
    }
}
