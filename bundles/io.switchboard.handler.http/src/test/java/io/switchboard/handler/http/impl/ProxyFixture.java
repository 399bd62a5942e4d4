package io.switchboard.handler.http.impl;

import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.util.Map;

/** An HTTP frontend on real native sockets (epoll, or io_uring in the second test run) on 127.0.0.1, on the real data plane. */
final class ProxyFixture implements AutoCloseable {
    final DataPlane plane = new DataPlane();
    final HttpProtocol protocol;
    private final Map<String, String> options;
    private final int port;

    ProxyFixture(String cluster, TestClusters clusters) {
        this(cluster, clusters, Map.of());
    }

    /** An HTTP frontend with these options (e.g. via, maxUriBytes). */
    ProxyFixture(String cluster, TestClusters clusters, Map<String, String> options) {
        this.options = options;
        protocol = HttpProtocol.with(clusters);
        plane.protocol("http", protocol);
        port = plane.frontend(spec(cluster));
    }

    private FrontendSpec spec(String cluster) {
        return new FrontendSpec("test", "http", "127.0.0.1", 0, cluster, Map.of(), options, null);
    }

    int port() {
        return port;
    }

    /** Connections from now on are served from another cluster. */
    void cluster(String cluster) {
        plane.frontend(spec(cluster));
    }

    @Override
    public void close() {
        plane.close();
    }
}
