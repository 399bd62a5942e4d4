package io.switchboard.transport.impl;

import io.netty.channel.EventLoop;
import io.switchboard.api.Endpoint;
import io.switchboard.api.telemetry.TrafficCell;
import io.switchboard.api.telemetry.TrafficMeter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every traffic cell, and each event loop's index of its own cells by frontend, cluster and
 * endpoint. A loop finds its cells in plain maps of its own (only it reads or changes them); a new
 * cell is also added to a concurrent list, once, for the scrape. All JDK containers of API types,
 * so that the next version of the transport takes them over as they are: counting goes on in the
 * same cells, and connections of the old version and of the new one count into them alike.
 */
final class TrafficCells {
    /** Per loop: frontend, then cluster, then endpoint (null: requests that reached no endpoint). */
    private final ConcurrentHashMap<EventLoop, HashMap<String, HashMap<String, HashMap<Endpoint, TrafficCell>>>> byLoop;
    private final ConcurrentLinkedQueue<TrafficCell> all;

    TrafficCells() {
        this(new ConcurrentHashMap<>(), new ConcurrentLinkedQueue<>());
    }

    private TrafficCells(ConcurrentHashMap<EventLoop, HashMap<String, HashMap<String, HashMap<Endpoint, TrafficCell>>>> byLoop,
                         ConcurrentLinkedQueue<TrafficCell> all) {
        this.byLoop = byLoop;
        this.all = all;
    }

    Map<String, Object> leave() {
        return Map.of("byLoop", byLoop, "all", all);
    }

    @SuppressWarnings("unchecked")
    static TrafficCells take(Map<String, Object> left) {
        if (left == null) {
            return new TrafficCells(); // a version from before the traffic cells left none
        }
        return new TrafficCells((ConcurrentHashMap<EventLoop, HashMap<String, HashMap<String, HashMap<Endpoint, TrafficCell>>>>) left.get("byLoop"),
                (ConcurrentLinkedQueue<TrafficCell>) left.get("all"));
    }

    /** The meter of a frontend on a loop; called on that loop (once per connection or flow). */
    TrafficMeter meter(EventLoop loop, String frontend) {
        HashMap<String, HashMap<String, HashMap<Endpoint, TrafficCell>>> frontends = byLoop.computeIfAbsent(loop, l -> new HashMap<>());
        return new Meter(frontend, frontends.computeIfAbsent(frontend, f -> new HashMap<>()), all);
    }

    /** Every cell made so far, on any loop, by any version. */
    List<TrafficCell> cells() {
        return new ArrayList<>(all);
    }

    /** A frontend's cells on one loop. */
    private static final class Meter implements TrafficMeter {
        private final String frontend;
        private final HashMap<String, HashMap<Endpoint, TrafficCell>> clusters;
        private final ConcurrentLinkedQueue<TrafficCell> all;

        Meter(String frontend, HashMap<String, HashMap<Endpoint, TrafficCell>> clusters, ConcurrentLinkedQueue<TrafficCell> all) {
            this.frontend = frontend;
            this.clusters = clusters;
            this.all = all;
        }

        @Override
        public TrafficCell cell(String cluster, Endpoint endpoint) {
            // Strings and endpoints keep their hash: a look-up of a known cell hashes nothing anew.
            HashMap<Endpoint, TrafficCell> endpoints = clusters.get(cluster);
            if (endpoints == null) {
                endpoints = new HashMap<>();
                clusters.put(cluster, endpoints);
            }
            TrafficCell c = endpoints.get(endpoint);
            if (c == null) {
                c = endpoint == null ? new TrafficCell(frontend, cluster, "", "")
                        : new TrafficCell(frontend, cluster, endpoint.id(), endpoint.host() + ":" + endpoint.port());
                endpoints.put(endpoint, c);
                all.add(c); // once per cell: the only shared write, off the per-request path
            }
            return c;
        }
    }
}
