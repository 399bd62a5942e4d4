package io.switchboard.agent.impl;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * Requests per second from an nginx {@code stub_status} page: the delta of its "requests" counter
 * (third number under "accepts handled requests") over the time between samples. The page tells no
 * execution time, so that figure stays unknown.
 */
final class StubStatus implements TrafficSource {
    private static final int MAX_BODY = 16 * 1024;

    private final URL url;
    private final int timeoutMillis;
    private long lastRequests = -1;
    private long lastNanos;

    StubStatus(URL url, int timeoutMillis) {
        this.url = url;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Traffic sample(long nowNanos) {
        long requests;
        try {
            requests = parseRequests(fetch());
        } catch (IOException | IllegalArgumentException e) {
            lastRequests = -1; // the next good answer only sets a new baseline
            return null;
        }
        long before = lastRequests;
        double seconds = (nowNanos - lastNanos) / 1e9;
        lastRequests = requests;
        lastNanos = nowNanos;
        // First answer, or nginx restarted (counter went back): no rate this time.
        if (before < 0 || requests < before || seconds <= 0) {
            return null;
        }
        return new Traffic((requests - before) / seconds, null);
    }

    /** The "requests" counter of a stub_status page; {@link IllegalArgumentException} if the text is not one. */
    static long parseRequests(String page) {
        String[] lines = page.split("\r?\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].trim().equals("server accepts handled requests")) {
                String[] n = lines[i + 1].trim().split("\\s+");
                if (n.length < 3) {
                    break;
                }
                try {
                    return Long.parseLong(n[2]);
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("not an nginx stub_status page");
    }

    private String fetch() throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(timeoutMillis);
        c.setReadTimeout(timeoutMillis);
        c.setUseCaches(false);
        try {
            if (c.getResponseCode() != 200) {
                throw new IOException("status " + c.getResponseCode());
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readNBytes(MAX_BODY), StandardCharsets.US_ASCII);
            }
        } finally {
            c.disconnect();
        }
    }
}
