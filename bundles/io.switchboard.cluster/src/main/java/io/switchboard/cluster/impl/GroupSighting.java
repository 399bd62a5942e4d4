package io.switchboard.cluster.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.protocols.PingData;
import org.jgroups.stack.IpAddress;
import org.jgroups.util.Responses;

/**
 * Whether live members of this dispatcher's group exist outside its view: asked of JGroups' own
 * discovery (the protocol a joiner uses) once joining has left this dispatcher alone. A member
 * counts when it is a member of a group (not a joiner itself, as at a simultaneous first start), is
 * not this dispatcher's own earlier life (it had the same address), and — with a discovery
 * directory, whose files outlive their writers — still accepts connections at its address.
 */
final class GroupSighting {
    private GroupSighting() {
    }

    /** The names of the live group members discovery finds outside the channel's view; empty when none. */
    static List<String> outsideTheView(JChannel ch, DispatcherSettings s) {
        // whoever answered the join's discovery is in the transport's address cache: nobody there, nobody
        // to ask again (the first dispatcher of a group does not wait for a second discovery)
        Object known = ch.down(new Event(Event.GET_LOGICAL_PHYSICAL_MAPPINGS, false));
        if (known instanceof java.util.Map && ((java.util.Map<?, ?>) known).keySet().stream().allMatch(a -> a.equals(ch.getAddress()))) {
            return List.of();
        }
        long timeout = Math.min(2000, s.joinTimeoutMillis);
        Object r = ch.down(new Event(Event.FIND_INITIAL_MBRS, timeout));
        if (!(r instanceof Responses)) {
            return List.of();
        }
        Responses rsps = (Responses) r;
        List<String> seen = new ArrayList<>();
        try {
            rsps.waitFor(timeout);
            Object own = ch.down(new Event(Event.GET_PHYSICAL_ADDRESS, ch.getAddress()));
            Set<Address> mine = new HashSet<>(ch.view().getMembers());
            for (PingData d : rsps) {
                PhysicalAddress at = d.getPhysicalAddr();
                if (!d.isServer() || mine.contains(d.getAddress()) || (at != null && at.equals(own))) {
                    continue;
                }
                if (s.discoveryDir != null && !accepts(at)) {
                    continue; // a file left by a dispatcher that is gone
                }
                seen.add(d.getLogicalName() != null ? d.getLogicalName() : String.valueOf(d.getAddress()));
            }
        } finally {
            rsps.done();
        }
        return seen;
    }

    private static boolean accepts(PhysicalAddress at) {
        if (!(at instanceof IpAddress)) {
            return true;
        }
        IpAddress ip = (IpAddress) at;
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(ip.getIpAddress(), ip.getPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
