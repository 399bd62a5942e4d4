package io.switchboard.transport.impl;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings every frontend shares ({@code io.switchboard.frontends.cfg}): the transport's own
 * keys, and defaults for protocol options (e.g. {@code via} or {@code maxUriBytes}), which a
 * frontend's own configuration may override.
 */
final class FrontendSettings {
    static final String PID = "io.switchboard.frontends";
    static final List<String> KEYS = List.of("acceptors", "gracePeriodSeconds", "udpIdleSeconds", "udpMaxFlows");
    static final FrontendSettings DEFAULTS = new FrontendSettings(0, 10_000, 30, DatagramFrontend.DEFAULT_MAX_FLOWS, Map.of(), null);

    /** Event loops accepting on each TCP frontend at start (0: all); the spawner changes it. */
    final int acceptors;
    /** How long connections get to finish when they drain (an update, a change, a removal, a stop). */
    final long gracePeriodMillis;
    final int udpIdleSeconds;
    final int udpMaxFlows;
    /** Defaults for protocol options, by key. */
    final Map<String, String> protocolDefaults;
    /** The file, for messages; null for the built-in defaults. */
    final String source;

    FrontendSettings(int acceptors, long gracePeriodMillis, int udpIdleSeconds, int udpMaxFlows, Map<String, String> protocolDefaults,
                     String source) {
        this.acceptors = acceptors;
        this.gracePeriodMillis = gracePeriodMillis;
        this.udpIdleSeconds = udpIdleSeconds;
        this.udpMaxFlows = udpMaxFlows;
        this.protocolDefaults = Map.copyOf(protocolDefaults);
        this.source = source;
    }

    /** Parses the configuration; any key that is not the transport's is a protocol default, checked when frontends bind. */
    static FrontendSettings parse(Map<String, ?> props) throws ConfigProblem {
        ConfigReader r = new ConfigReader(props, KEYS);
        Map<String, String> defaults = new HashMap<>();
        for (Map.Entry<String, ?> e : props.entrySet()) {
            if (!KEYS.contains(e.getKey()) && !ConfigReader.isFrameworkKey(e.getKey())) {
                Object v = e.getValue();
                defaults.put(e.getKey(), v instanceof String[] ? String.join(",", (String[]) v) : String.valueOf(v).trim());
            }
        }
        return new FrontendSettings(
                r.integer("acceptors", 0, 0, 1024),
                r.integer("gracePeriodSeconds", 10, 0, 3600) * 1000L,
                r.integer("udpIdleSeconds", 30, 1, 86_400),
                r.integer("udpMaxFlows", DatagramFrontend.DEFAULT_MAX_FLOWS, 1, 10_000_000),
                defaults, r.source());
    }

    /** The frontend's options over these defaults (only the keys the protocol reads are taken from the defaults). */
    Map<String, String> merge(Map<String, String> own, java.util.Set<String> protocolKeys) {
        Map<String, String> merged = new HashMap<>();
        for (Map.Entry<String, String> e : protocolDefaults.entrySet()) {
            if (protocolKeys.contains(e.getKey())) {
                merged.put(e.getKey(), e.getValue());
            }
        }
        merged.putAll(own);
        return merged;
    }
}
