package io.switchboard.testkit.dataplane;

import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.core.impl.CoreManager;
import io.switchboard.handler.defaults.impl.DefaultHandler;
import io.switchboard.intelligentswitch.impl.SwitchManager;
import io.switchboard.testkit.LeakWatch;
import io.switchboard.transport.impl.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real data plane as plain objects, as the framework wires it: the transport on epoll (or on
 * io_uring when the tests run with {@code -Dsb.test.transport=io_uring}) with two
 * event loops, the switching core, the intelligent switch with the default handler registered.
 * Protocols and handlers are added as their services would be. Closing it checks that no Netty
 * buffer leaked.
 */
public final class DataPlane implements AutoCloseable {
    public final Transport transport;
    public final CoreManager core;
    public final SwitchManager switchboard;
    public final DefaultHandler defaultHandler = new DefaultHandler();
    private final AtomicLong serviceIds = new AtomicLong(1000);
    /** What the transport logged. */
    private final List<String> log = new CopyOnWriteArrayList<>();

    /** The native transport the tests run on: {@code epoll}, or {@code io_uring} (a module's second test run). */
    public static final String NATIVE = System.getProperty("sb.test.transport", "epoll");

    public DataPlane() {
        this(NATIVE);
    }

    /** With {@code transport} "nio": what the platform falls back to when no native transport loads. */
    public DataPlane(String transportType) {
        transport = Transport.standalone(2, transportType, line -> {
            log.add(line);
            System.out.println(line);
        });
        if (transport.fallbackReason() != null && !"nio".equals(transportType)) {
            transport.stop();
            throw new IllegalStateException(transportType + " must load on this machine: " + transport.fallbackReason());
        }
        core = CoreManager.start(1024, 1024, "blocking");
        switchboard = SwitchManager.withCore(core);
        handler(FlowHandler.DEFAULT_TYPE, defaultHandler);
        transport.switchboard(switchboard);
    }

    /** Registers a protocol as its service would be. */
    public DataPlane protocol(String name, FrontendProtocol p) {
        transport.addProtocol(name, p, serviceIds.incrementAndGet(), 0, "test-" + name, -1);
        return this;
    }

    /** Registers a flow handler of the type; returns its service properties (to take it away again). */
    public Map<String, Object> handler(String type, FlowHandler h) {
        Map<String, Object> props = Map.of(FlowHandler.TYPE, type, "service.id", serviceIds.incrementAndGet());
        switchboard.register(h, props, "test");
        return props;
    }

    /** Starts a frontend on 127.0.0.1 (any free port) and returns its port. */
    public int frontend(String name, String protocol, String cluster) {
        return frontend(new FrontendSpec(name, protocol, "127.0.0.1", 0, cluster));
    }

    /** Starts (or changes) a frontend and returns its port; fails when it does not listen. */
    public int frontend(FrontendSpec spec) {
        transport.apply(spec);
        FrontendStatus s = status(spec.name());
        if (s == null || !s.listening()) {
            throw new IllegalStateException("frontend " + spec.name() + " does not listen: " + (s == null ? "unknown" : s.error()));
        }
        return s.boundPort();
    }

    public FrontendStatus status(String name) {
        for (FrontendStatus s : transport.frontends()) {
            if (s.spec().name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The transport's log lines that contain the fragment. */
    public List<String> log(String fragment) {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            if (l.contains(fragment)) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public void close() {
        transport.stop();
        core.deactivate();
        LeakWatch.assertNoLeaks();
    }
}
