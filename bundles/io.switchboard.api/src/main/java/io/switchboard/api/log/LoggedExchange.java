package io.switchboard.api.log;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What the access log reads from one finished exchange, implemented by the protocol over objects it
 * holds anyway (so that logging allocates nothing). Read once, on the caller's thread, inside
 * {@link AccessLog#log}. Strings are stored as they are: format them never, that is the writer's job.
 */
@ConsumerType
public interface LoggedExchange {
    /** Status of the response the client got; 0 when it got none (it left first). */
    int NO_RESPONSE = 0;

    /** The client's address and port. */
    InetSocketAddress client();

    /** The frontend the request came in on. */
    String frontend();

    /** The cluster it was routed to, or null (answered before routing, or no cluster). */
    String cluster();

    /** Id of the endpoint that served it (the last one tried), or null. */
    String endpoint();

    /** The method, or null when the request could not be read (a 400 or 408 before a head). */
    String method();

    /** The request target as received, or null. */
    String target();

    /** The protocol version as received ({@code HTTP/1.1}), or null. */
    String protocol();

    /** The Referer header, or null. */
    String referer();

    /** The User-Agent header, or null. */
    String userAgent();

    /** Status of the response the client got, or {@link #NO_RESPONSE}. */
    int status();

    /** Bytes of request body received. */
    long requestBodyBytes();

    /** Bytes sent to the client for this exchange, response head included. */
    long bytesSent();

    /** Bytes of response body sent to the client. */
    long bodyBytesSent();

    /** {@link System#nanoTime()} when the request head had been read. */
    long startNanos();

    /** Nanoseconds spent opening the back-end connection (0 for a pooled one), or -1 if none was opened. */
    long connectNanos();

    /** Nanoseconds from the request going out to the response head coming back, or -1. */
    long responseNanos();

    /** Times the request was sent again to another endpoint (or over a fresh connection). */
    int retries();

    /**
     * How the exchange ended, as HAProxy's four-character termination state: {@code ----} for a
     * normal end; first character who ended it (C client, S server, P proxy, c/s client/server
     * timeout), second where (R request, C connect, H response head, D data).
     */
    String termination();
}
