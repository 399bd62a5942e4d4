package io.switchboard.transport.impl;

import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.support.log.Throttled;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A protocol's binding behind a PROXY protocol header: the transport reads the header first and
 * hands the connection to the protocol only then, with the client address the header carried
 * ({@link ProxyHeaderReader}). Refused connections are logged at most once a minute per frontend and
 * kind of refusal.
 */
final class ProxiedBinding implements StreamBinding {
    final StreamBinding protocol;
    final ProxyProtocolSettings settings;
    private final Consumer<String> warn;
    /** One throttle per kind of refusal: a burst of one kind does not hide the first of another. */
    private final Map<String, Throttled> refusals = new ConcurrentHashMap<>();

    ProxiedBinding(StreamBinding protocol, ProxyProtocolSettings settings, Consumer<String> warn) {
        this.protocol = protocol;
        this.settings = settings;
        this.warn = warn;
    }

    @Override
    public void accept(Connection connection) {
        protocol.accept(connection);
    }

    /** @param kind what went wrong (untrusted, malformed, late, ...), @param why the details */
    void refused(String frontend, String kind, String why) {
        refusals.computeIfAbsent(kind, k -> new Throttled(1, TimeUnit.MINUTES))
                .occurred(warn, "frontend " + frontend + ": connection closed: " + why + " (PROXY protocol " + settings + ")");
    }
}
