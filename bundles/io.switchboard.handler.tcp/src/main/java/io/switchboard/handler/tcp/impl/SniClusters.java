package io.switchboard.handler.tcp.impl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A TCP frontend's {@code sniClusters}: which cluster serves a TLS connection, by the server name
 * in its ClientHello (read, not terminated). Exact names first, then {@code *.domain} for any
 * subdomain; a name not listed, no name, or no TLS: the frontend's cluster.
 */
final class SniClusters {
    private final Map<String, String> exact = new LinkedHashMap<>();
    private final Map<String, String> wildcard = new LinkedHashMap<>();

    /** Parses {@code name=cluster} items; the message says which item is wrong. */
    static SniClusters parse(List<String> items) {
        SniClusters s = new SniClusters();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("'" + item + "' is not NAME=CLUSTER");
            }
            String name = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String cluster = item.substring(eq + 1).trim();
            if (!name.matches("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                throw new IllegalArgumentException("'" + name + "' is not a host name (or *.domain)");
            }
            if (!cluster.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("'" + cluster + "' is not a cluster name");
            }
            Map<String, String> m = name.startsWith("*.") ? s.wildcard : s.exact;
            String key = name.startsWith("*.") ? name.substring(2) : name;
            if (m.put(key, cluster) != null) {
                throw new IllegalArgumentException("'" + name + "' is named twice");
            }
        }
        return s;
    }

    /** The cluster for a server name, or null (the frontend's cluster serves). */
    String cluster(String serverName) {
        if (serverName == null) {
            return null;
        }
        String c = exact.get(serverName);
        if (c != null) {
            return c;
        }
        int dot = serverName.indexOf('.');
        return dot > 0 ? wildcard.get(serverName.substring(dot + 1)) : null;
    }
}
