package io.switchboard.api.runtime;

/** What a frontend speaks to its clients. */
public enum Protocol {
    /** HTTP/1.1, proxied request by request. */
    HTTP,
    /** Any TCP stream, relayed byte for byte. */
    TCP,
    /** Datagrams, relayed per client flow. */
    UDP;

    /** Parses a configuration value, case-insensitively. */
    public static Protocol parse(String value) {
        for (Protocol p : values()) {
            if (p.name().equalsIgnoreCase(value.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + value + "' (expected http, tcp or udp)");
    }
}
