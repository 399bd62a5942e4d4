package io.switchboard.accesslog.impl;

import io.switchboard.api.log.LoggedExchange;
import java.net.InetSocketAddress;

/** Fixed exchanges for the tests: a value object with every fact set, changed by withers. */
class Exchanges implements LoggedExchange {
    InetSocketAddress client = new InetSocketAddress("192.0.2.7", 40312);
    String frontend = "web";
    String cluster = "web";
    String endpoint = "app1";
    String method = "GET";
    String target = "/index.html?q=1";
    String protocol = "HTTP/1.1";
    String referer = "http://example.com/start";
    String userAgent = "curl/8.5.0";
    int status = 200;
    long requestBodyBytes = 0;
    long bytesSent = 145;
    long bodyBytesSent = 3;
    long startNanos;
    long connectNanos = 1_500_000;
    long responseNanos = 2_400_000;
    int retries = 0;
    String termination = "----";

    static Exchanges get() {
        return new Exchanges();
    }

    @Override public InetSocketAddress client() { return client; }
    @Override public String frontend() { return frontend; }
    @Override public String cluster() { return cluster; }
    @Override public String endpoint() { return endpoint; }
    @Override public String method() { return method; }
    @Override public String target() { return target; }
    @Override public String protocol() { return protocol; }
    @Override public String referer() { return referer; }
    @Override public String userAgent() { return userAgent; }
    @Override public int status() { return status; }
    @Override public long requestBodyBytes() { return requestBodyBytes; }
    @Override public long bytesSent() { return bytesSent; }
    @Override public long bodyBytesSent() { return bodyBytesSent; }
    @Override public long startNanos() { return startNanos; }
    @Override public long connectNanos() { return connectNanos; }
    @Override public long responseNanos() { return responseNanos; }
    @Override public int retries() { return retries; }
    @Override public String termination() { return termination; }

    /** The entry as the writer sees it: copied in, ended {@code totalMillis} after it started. */
    LogEntry entry(long totalMillis) {
        LogEntry e = new LogEntry();
        e.copyFrom(this, startNanos + totalMillis * 1_000_000 + 300_000);
        e.valid = true;
        return e;
    }
}
