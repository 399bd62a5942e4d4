package io.switchboard.local.impl;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.api.local.LocalRequest;
import io.switchboard.api.local.LocalResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Netty's HTTP messages to and from the API's plain values: local applications never see Netty. */
final class HttpTranslation {
    private HttpTranslation() {
    }

    static LocalRequest request(FullHttpRequest r) {
        String uri = r.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : r.headers()) {
            headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
        }
        return new LocalRequest(r.method().name(), path.isEmpty() ? "/" : path, query, headers, ByteBufUtil.getBytes(r.content()));
    }

    /** The application's response; for HEAD the head alone, with the length the body would have. */
    static FullHttpResponse response(LocalResponse r, boolean head, boolean keepAlive) {
        byte[] body = r.body();
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().forEach((k, v) -> out.headers().set(k, v));
        frame(out, body.length, keepAlive);
        return out;
    }

    /** A response the platform gives itself (the application failed, is busy, or is gone). */
    static FullHttpResponse error(HttpResponseStatus status, String text, boolean keepAlive) {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        out.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        frame(out, body.length, keepAlive);
        return out;
    }

    /** Length and connection headers are the platform's: whatever the application said is replaced. */
    private static void frame(FullHttpResponse out, int length, boolean keepAlive) {
        out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        out.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        if (keepAlive) {
            out.headers().remove(HttpHeaderNames.CONNECTION);
        } else {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }
}
