package io.switchboard.cluster.impl;

/** What this dispatcher knows of one peer. Written by the receiving thread, read by the shell. */
final class Peer {
    final String name;
    volatile boolean trusted = true;
    volatile String distrust;
    volatile long lastBatchId;
    volatile long lastLagMicros = -1;
    volatile long updates;
    volatile long malformed;
    volatile long lastHeardMillis;

    Peer(String name) {
        this.name = name;
    }

    String state() {
        return trusted ? "synced" : "untrusted (" + distrust + "; waiting for its resync)";
    }
}
