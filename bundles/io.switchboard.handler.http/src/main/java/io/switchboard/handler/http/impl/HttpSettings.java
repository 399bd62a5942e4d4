package io.switchboard.handler.http.impl;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP frontend's settings, checked once per change of the frontend (never per connection): the
 * request-head limits, the head timeout, the idle time between requests, the Via pseudonym.
 */
final class HttpSettings {
    static final int MAX_CHUNK = 16384;

    /** The options an HTTP frontend reads, with what they mean. */
    static final Map<String, String> OPTIONS = options();

    private static Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("maxUriBytes", "largest request line (method, target, version) in bytes; a longer one gets 414 (8192)");
        m.put("maxHeaderBytes", "largest request header section in bytes; a larger one gets 431 (16384)");
        m.put("requestHeadTimeoutSeconds", "seconds a client has to complete a request head once begun; then 408 (10; 0 = no limit)");
        m.put("clientIdleSeconds", "seconds a client connection may stay idle between requests (60)");
        m.put("via", "pseudonym for the Via header added to forwarded requests and responses (none)");
        m.put("underscoreHeaders", "drop (the default, as NGINX) or pass: request header names with an underscore, which CGI and WSGI"
                + " back-ends read as their dash twins (Content_Length as Content-Length)");
        m.put("tunnelIdleSeconds", "seconds a connection switched by a 101 (WebSocket) may go without a byte either way before both"
                + " sides are closed (3600)");
        m.put("requestBodyTimeoutSeconds", "seconds a request body may go without a byte arriving; then 408 and the connection closes"
                + " (60; 0 = no limit)");
        m.put("minBodyRateBytesPerSecond", "slowest request body accepted, as its bytes over the last bodyRateWindowSeconds, measured"
                + " once the body has been coming that long; slower gets 408 and the connection closes (240; 0 = no minimum)");
        m.put("bodyRateWindowSeconds", "the window (and grace) over which minBodyRateBytesPerSecond is measured (5)");
        m.put("h2c", "true: a cleartext connection that opens with the HTTP/2 preface speaks HTTP/2 (prior knowledge); others HTTP/1.1 (false)");
        m.put("h2MaxConcurrentStreams", "HTTP/2 streams a client may have open at once on one connection; more are refused (100)");
        m.put("h2MaxHeaderListBytes", "largest HTTP/2 header list, decoded (HPACK), in bytes; a larger one ends the stream or the connection (16384)");
        m.put("h2MaxFrameBytes", "largest HTTP/2 frame payload a client may send, 16384..16777215 (16384)");
        m.put("h2MaxResets", "RST_STREAM frames a client may send per h2ResetWindowSeconds before GOAWAY ENHANCE_YOUR_CALM (200; rapid reset)");
        m.put("h2ResetWindowSeconds", "the window h2MaxResets counts in (30)");
        return Map.copyOf(m);
    }

    final int maxUriBytes;
    final int maxHeaderBytes;
    final long requestHeadTimeoutMillis;
    final int clientIdleSeconds;
    /** The Via value this proxy adds ("1.1 name"), or null. */
    final String via;
    final HttpDecoderConfig decoder;
    /** Whether request header names with an underscore stay behind (they do by default). */
    final boolean dropUnderscoreHeaders;
    /** Seconds a tunnel (after a 101) may stay silent both ways. */
    int tunnelIdleSeconds = 3600;
    /** Seconds a request body may go without a byte (0: no limit). */
    int requestBodyTimeoutSeconds = 60;
    /** Slowest body accepted, bytes per second over the window (0: none). */
    int minBodyRateBytesPerSecond = 240;
    int bodyRateWindowSeconds = 5;

    /** Whether request bodies are watched at all (a timeout or a minimum rate is set). */
    boolean watchesBody() {
        return requestBodyTimeoutSeconds > 0 || minBodyRateBytesPerSecond > 0;
    }

    /** The body and tunnel limits (defaults otherwise); returns this. */
    HttpSettings limits(int tunnelIdleSeconds, int requestBodyTimeoutSeconds, int minBodyRateBytesPerSecond, int bodyRateWindowSeconds) {
        this.tunnelIdleSeconds = tunnelIdleSeconds;
        this.requestBodyTimeoutSeconds = requestBodyTimeoutSeconds;
        this.minBodyRateBytesPerSecond = minBodyRateBytesPerSecond;
        this.bodyRateWindowSeconds = bodyRateWindowSeconds;
        return this;
    }

    HttpSettings(int maxUriBytes, int maxHeaderBytes, long requestHeadTimeoutMillis, int clientIdleSeconds, String via) {
        this(maxUriBytes, maxHeaderBytes, requestHeadTimeoutMillis, clientIdleSeconds, via, true);
    }

    HttpSettings(int maxUriBytes, int maxHeaderBytes, long requestHeadTimeoutMillis, int clientIdleSeconds, String via,
                 boolean dropUnderscoreHeaders) {
        this(maxUriBytes, maxHeaderBytes, requestHeadTimeoutMillis, clientIdleSeconds, via, dropUnderscoreHeaders, H2Limits.DEFAULTS);
    }

    /** HTTP/2's settings: whether h2c is spoken, and the limits of every HTTP/2 connection. */
    final H2Limits h2;

    HttpSettings(int maxUriBytes, int maxHeaderBytes, long requestHeadTimeoutMillis, int clientIdleSeconds, String via,
                 boolean dropUnderscoreHeaders, H2Limits h2) {
        this.h2 = h2;
        this.dropUnderscoreHeaders = dropUnderscoreHeaders;
        this.maxUriBytes = maxUriBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.requestHeadTimeoutMillis = requestHeadTimeoutMillis;
        this.clientIdleSeconds = clientIdleSeconds;
        this.via = via == null || via.isEmpty() ? null : "1.1 " + via;
        // Strict whatever the JVM's defaults say; identical Content-Length values are folded into one
        // (RFC 9110 §8.6), differing ones are rejected (and by the scanner first).
        this.decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxUriBytes)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(MAX_CHUNK)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(true)
                // The scanner in front of the codec already refuses header names that are not tokens
                // and values with control bytes; checking them twice costs a few per cent per request.
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withNameValidation(false).withValidation(false))
                .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withNameValidation(false).withValidation(false));
    }

    /** The defaults: 8 KiB request line, 16 KiB header section, 10 s for a head, 60 s idle, no Via. */
    static final HttpSettings DEFAULTS = new HttpSettings(8192, 16384, 10_000, 60, null);

    /** Parses a frontend's options; the message names the key and the reason. */
    static HttpSettings parse(Map<String, String> options) throws ConfigProblem {
        ConfigReader r = new ConfigReader(options, OPTIONS.keySet());
        r.rejectUnknownKeys();
        String via = r.optionalString("via", "");
        if (!via.isEmpty() && !via.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw new ConfigProblem("via", "'" + via + "' is not a token (letters, digits, !#$%&'*+.^_`|~-)");
        }
        String underscores = r.string("underscoreHeaders", "drop");
        if (!underscores.equals("drop") && !underscores.equals("pass")) {
            throw new ConfigProblem("underscoreHeaders", "'" + underscores + "' is not drop or pass");
        }
        return new HttpSettings(
                r.integer("maxUriBytes", 8192, 64, 1 << 20),
                r.integer("maxHeaderBytes", 16384, 256, 1 << 22),
                TimeUnit.SECONDS.toMillis(r.integer("requestHeadTimeoutSeconds", 10, 0, 3600)),
                r.integer("clientIdleSeconds", 60, 1, 86_400),
                via,
                underscores.equals("drop"),
                new H2Limits(
                        r.bool("h2c", false),
                        r.integer("h2MaxConcurrentStreams", 100, 1, 100_000),
                        r.integer("h2MaxHeaderListBytes", 16384, 1024, 1 << 22),
                        r.integer("h2MaxFrameBytes", 16384, 16384, 16_777_215),
                        r.integer("h2MaxResets", 200, 1, 1_000_000),
                        r.integer("h2ResetWindowSeconds", 30, 1, 3600))).limits(
                r.integer("tunnelIdleSeconds", 3600, 1, 7 * 86_400),
                r.integer("requestBodyTimeoutSeconds", 60, 0, 86_400),
                r.integer("minBodyRateBytesPerSecond", 240, 0, 1 << 30),
                r.integer("bodyRateWindowSeconds", 5, 1, 60));
    }
}
