package io.switchboard.handler.http.impl;

/**
 * The HTTP/2 options of an HTTP frontend: whether a cleartext connection may open with the HTTP/2
 * preface (h2c with prior knowledge; over TLS, ALPN decides), and the limits every HTTP/2
 * connection is held to.
 */
final class H2Limits {
    /** Control frames (SETTINGS and PING acknowledgements, resets) queued unsent before the client is told to calm down. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

    static final H2Limits DEFAULTS = new H2Limits(false, 100, 16384, 16384, 200, 30);

    final boolean h2c;
    final int maxConcurrentStreams;
    final int maxHeaderListBytes;
    final int maxFrameBytes;
    final int maxResets;
    final int resetWindowSeconds;

    H2Limits(boolean h2c, int maxConcurrentStreams, int maxHeaderListBytes, int maxFrameBytes, int maxResets, int resetWindowSeconds) {
        this.h2c = h2c;
        this.maxConcurrentStreams = maxConcurrentStreams;
        this.maxHeaderListBytes = maxHeaderListBytes;
        this.maxFrameBytes = maxFrameBytes;
        this.maxResets = maxResets;
        this.resetWindowSeconds = resetWindowSeconds;
    }

}
