package io.switchboard.transport.impl;

import io.switchboard.api.transport.FrontendProtocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The protocols registered now, by name, best first (highest ranking, then oldest). When the last
 * service of a name goes away (its bundle is being updated), it stays in use as the last one known
 * good until a replacement registers, or until the transport gives up on it.
 */
final class Protocols {
    /** A protocol service and who provides it. */
    static final class Entry {
        final FrontendProtocol protocol;
        final long serviceId;
        final int ranking;
        /** The providing bundle, name and version. */
        final String bundle;
        final long bundleId;

        Entry(FrontendProtocol protocol, long serviceId, int ranking, String bundle, long bundleId) {
            this.protocol = protocol;
            this.serviceId = serviceId;
            this.ranking = ranking;
            this.bundle = bundle;
            this.bundleId = bundleId;
        }
    }

    private final Map<String, List<Entry>> registered = new HashMap<>();
    private final Map<String, Entry> departed = new HashMap<>();

    /** The protocol in force for the name: the best registered, else the last known good; null when never seen. */
    synchronized Entry get(String name) {
        List<Entry> list = registered.get(name);
        return list != null && !list.isEmpty() ? list.get(0) : departed.get(name);
    }

    /** Whether the name's protocol is only the last known good (its service has gone). */
    synchronized boolean departed(String name) {
        List<Entry> list = registered.get(name);
        return (list == null || list.isEmpty()) && departed.containsKey(name);
    }

    /** Adds a service; true when it is now the one in force for its name. */
    synchronized boolean add(String name, Entry e) {
        List<Entry> list = registered.computeIfAbsent(name, n -> new ArrayList<>());
        list.add(e);
        list.sort(Comparator.comparingInt((Entry x) -> -x.ranking).thenComparingLong(x -> x.serviceId));
        departed.remove(name);
        return list.get(0) == e;
    }

    /** Removes a service; true when the one in force for its name changed (to another service). */
    synchronized boolean remove(String name, FrontendProtocol protocol) {
        List<Entry> list = registered.get(name);
        if (list == null || list.isEmpty()) {
            return false;
        }
        Entry best = list.get(0);
        list.removeIf(x -> x.protocol == protocol);
        if (list.isEmpty()) {
            registered.remove(name);
            if (best.protocol == protocol) {
                departed.put(name, best); // last known good, until a replacement comes
            }
            return false;
        }
        return list.get(0) != best;
    }

    /** Gives up on a departed protocol: frontends that speak it stop. True when it was still departed. */
    synchronized boolean forget(String name, Entry e) {
        return departed.remove(name, e);
    }

    /** The names whose last known good protocol came from the bundle. */
    synchronized List<String> departedFrom(long bundleId) {
        List<String> names = new ArrayList<>();
        departed.forEach((name, e) -> {
            if (e.bundleId == bundleId) {
                names.add(name);
            }
        });
        return names;
    }

    synchronized List<String> names() {
        List<String> n = new ArrayList<>(registered.keySet());
        n.sort(null);
        return n;
    }
}
