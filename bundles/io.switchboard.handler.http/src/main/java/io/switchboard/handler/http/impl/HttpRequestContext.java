package io.switchboard.handler.http.impl;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What policies and classifiers may read of one HTTP request ({@link io.switchboard.api.RequestContext}'s
 * attributes), read from its head; the exchange ({@link BackendDispatch}) and the message answer with it.
 */
final class HttpRequestContext {
    private HttpRequestContext() {
    }

    /**
     * Application-layer attributes of a request: {@code method}, {@code uri}, {@code path},
     * {@code query}, {@code host}, {@code header:NAME}, {@code cookie:NAME}, {@code query:NAME},
     * {@code device} (mobile, desktop or bot, from the User-Agent). Computed when asked, never stored.
     */
    static String attribute(RequestHead request, String name) {
        switch (name) {
            case "method":
                return request.method();
            case "uri":
                return request.uri();
            case "path": {
                String uri = request.uri();
                int q = uri.indexOf('?');
                return q < 0 ? uri : uri.substring(0, q);
            }
            case "query": {
                String uri = request.uri();
                int q = uri.indexOf('?');
                return q < 0 ? null : uri.substring(q + 1);
            }
            case "host":
                return request.header("host");
            case "device":
                return DeviceType.of(request.header("user-agent"));
            default:
                if (name.startsWith("header:")) {
                    return request.header(name.substring(7));
                }
                if (name.startsWith("cookie:")) {
                    return cookie(request.headers("cookie"), name.substring(7));
                }
                if (name.startsWith("query:")) {
                    return queryParameter(request.uri(), name.substring(6));
                }
                return null;
        }
    }

    /** The value of a cookie in Cookie headers ({@code a=1; b=2}), or null. */
    static String cookie(List<String> headers, String wanted) {
        for (String header : headers) {
            int i = 0;
            int n = header.length();
            while (i < n) {
                int end = header.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                int eq = header.indexOf('=', i);
                if (eq > i && eq < end && header.substring(i, eq).trim().equals(wanted)) {
                    String v = header.substring(eq + 1, end).trim();
                    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
                }
                i = end + 1;
            }
        }
        return null;
    }

    /** The decoded value of a query parameter ({@code ""} when present without a value), or null. */
    static String queryParameter(String uri, String wanted) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        int hash = uri.indexOf('#', q);
        String query = hash < 0 ? uri.substring(q + 1) : uri.substring(q + 1, hash);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(wanted)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // malformed escapes: compare as written
        }
    }
}
