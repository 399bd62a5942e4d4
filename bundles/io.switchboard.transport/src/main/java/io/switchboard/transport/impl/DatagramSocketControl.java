package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.switchboard.api.transport.DatagramBinding;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the transport does with a frontend's datagram socket, as functions over its handler: so that
 * a newer transport version can go on using a socket, and its table of flows, that an older version
 * bound and still runs. A datagram socket is never handed over by binding a second one: the kernel
 * would split a flow's datagrams between the two.
 */
final class DatagramSocketControl {
    final Channel channel;
    private final IntSupplier flowCount;
    private final Consumer<DatagramBinding> rebind;
    private final Supplier<long[]> counters;
    /** Takes {idle seconds, most flows}. */
    private final Consumer<int[]> limits;

    DatagramSocketControl(Channel channel, IntSupplier flowCount, Consumer<DatagramBinding> rebind, Supplier<long[]> counters, Consumer<int[]> limits) {
        this.channel = channel;
        this.flowCount = flowCount;
        this.rebind = rebind;
        this.counters = counters;
        this.limits = limits;
    }

    Map<String, Object> leave() {
        return Map.of("channel", channel, "flowCount", flowCount, "rebind", rebind, "counters", counters,
                "limits", limits);
    }

    @SuppressWarnings("unchecked")
    static DatagramSocketControl adopt(Map<String, Object> left) {
        return new DatagramSocketControl((Channel) left.get("channel"), (IntSupplier) left.get("flowCount"),
                (Consumer<DatagramBinding>) left.get("rebind"),
                (Supplier<long[]>) left.get("counters"), (Consumer<int[]>) left.get("limits"));
    }

    /** The idle time and the size of the flow table from now on (udpIdleSeconds, udpMaxFlows). */
    void limits(int idleSeconds, int maxFlows) { limits.accept(new int[] {idleSeconds, maxFlows}); }

    /** Flows open now (racy outside the socket's loop, exact enough for status). */
    int flowCount() { return flowCount.getAsInt(); }

    /** New flows from now on are served with this binding; flows already open keep theirs. */
    void rebind(DatagramBinding binding) { rebind.accept(binding); }

    /** Datagrams in, out, dropped, dropped for a full flow table, flows expired. */
    long[] counters() { return counters.get(); }
}
