package io.switchboard.transport.impl.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.api.RequestContext;
import java.net.InetSocketAddress;

/** What policies and classifiers may read of one HTTP request. */
final class HttpRequestContext implements RequestContext {
    private final String frontend;
    private final InetSocketAddress client;
    private final HttpRequest request;

    HttpRequestContext(String frontend, InetSocketAddress client, HttpRequest request) {
        this.frontend = frontend;
        this.client = client;
        this.request = request;
    }

    @Override public String frontend() { return frontend; }
    @Override public InetSocketAddress clientAddress() { return client; }

    @Override
    public String attribute(String name) {
        return attribute(request, name);
    }

    /** Application-layer attributes of a request: method, path, host, header:NAME. */
    static String attribute(HttpRequest request, String name) {
        switch (name) {
            case "method":
                return request.method().name();
            case "path": {
                String uri = request.uri();
                int q = uri.indexOf('?');
                return q < 0 ? uri : uri.substring(0, q);
            }
            case "host":
                return request.headers().get(HttpHeaderNames.HOST);
            default:
                return name.startsWith("header:") ? request.headers().get(name.substring(7)) : null;
        }
    }
}
