package io.switchboard.api.core;

import io.switchboard.api.flow.FlowHandler;

/** A registered handler as the switch table holds it. */
public final class HandlerEntry {
    private final String type;
    private final FlowHandler handler;
    private final long serviceId;
    private final String bundle;
    private final HandlerBus bus;

    public HandlerEntry(String type, FlowHandler handler, long serviceId, String bundle, HandlerBus bus) {
        this.type = type;
        this.handler = handler;
        this.serviceId = serviceId;
        this.bundle = bundle;
        this.bus = bus;
    }

    public String type() { return type; }
    public FlowHandler handler() { return handler; }
    public long serviceId() { return serviceId; }
    /** Symbolic name of the bundle that registered it. */
    public String bundle() { return bundle; }
    /** The ring to its own threads, or null when it runs inline on the event loop. */
    public HandlerBus bus() { return bus; }
}
