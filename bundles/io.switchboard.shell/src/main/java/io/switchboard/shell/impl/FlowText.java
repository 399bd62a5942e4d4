package io.switchboard.shell.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;

/** How the flow commands print a flow's parts, so that sb:flows and sb:conns read the same. */
final class FlowText {
    /** More flows than this are summarized, not listed. */
    static final int MAX_LISTED = 200;

    private FlowText() {
    }

    static String client(TrackedFlow f) {
        InetSocketAddress a = f.clientAddress();
        return a == null ? "-" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** {@code id=host:port}, the address alone when the id is the address, or {@code -} before one was picked. */
    static String endpoint(Endpoint e) {
        if (e == null) {
            return "-";
        }
        String address = e.addressText(); // host:port, or local:NAME
        return e.id().equals(address) ? address : e.id() + "=" + address;
    }

    /** The flow's protocol; a connection that switched (HTTP 101) shows what it tunnels: {@code http>websocket}. */
    static String protocol(TrackedFlow f) {
        String u = f.upgrade();
        return u == null ? f.protocol() : f.protocol() + ">" + u;
    }

    static String age(long now, TrackedFlow f) {
        return (now - f.openedMillis()) / 1000 + "s";
    }

    /** The line that stands for the rows left out, or nothing. */
    static String more(int total) {
        return total > MAX_LISTED ? "... and " + (total - MAX_LISTED) + " more\n" : "";
    }
}
