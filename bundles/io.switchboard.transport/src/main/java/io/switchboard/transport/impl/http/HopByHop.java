package io.switchboard.transport.impl.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/** Hop-by-hop header handling (RFC 9110 §7.6.1): what one connection says is not passed on. */
final class HopByHop {
    private HopByHop() {
    }

    /** Removes Connection, the headers it names, and the other connection-specific fields. */
    static void strip(HttpHeaders h) {
        List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            for (String token : value.split(",")) {
                String t = token.trim();
                // Framing headers stay: the codec needs them to frame the body it passes on.
                if (!t.isEmpty() && !t.equalsIgnoreCase("transfer-encoding") && !t.equalsIgnoreCase("content-length")) {
                    h.remove(t);
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.UPGRADE);
        h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
    }
}
