package io.switchboard.cluster.impl;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dispatcher cluster's settings ({@code conf/io.switchboard.dispatchers.cfg}), checked: every
 * problem names the key and the reason. The defaults form a group on this machine alone (TCP on
 * 127.0.0.1:7800, the member list naming only itself), so a demo needs only {@code enabled = true}.
 */
final class DispatcherSettings {
    static final List<String> KEYS = List.of("enabled", "group", "node", "transport", "bindAddress", "bindPort", "members",
            "discoveryDir", "mcastAddress", "mcastPort", "joinTimeoutMillis", "groupWaitSeconds", "sessionEnd", "idleTimeoutSeconds",
            "maxBatch", "maxUpdateBytes", "maxEntries", "queueSize", "lockWaitMillis", "tombstoneSeconds");
    private static final Pattern MEMBER = Pattern.compile("\\s*([^\\s\\[\\]]+)\\[(\\d{1,5})\\]\\s*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    enum Transport { TCP, UDP }

    /** What ends a client's session: its entry goes at the peers too. */
    enum SessionEnd {
        /** After idleTimeoutSeconds without a request at this dispatcher. */
        IDLE,
        /** Only when ended explicitly (sb:dispatch end, or the API). */
        EXPLICIT,
        /** When the client's last connection closes at every dispatcher that had one. */
        CLOSE
    }

    final boolean enabled;
    final String group;
    final String node;
    final Transport transport;
    final InetAddress bindAddress;
    final int bindPort;
    final List<InetSocketAddress> members;
    final Path discoveryDir;
    final InetAddress mcastAddress;
    final int mcastPort;
    final int joinTimeoutMillis;
    /**
     * How long a dispatcher whose discovery finds the group (but that is not let in, e.g. while the
     * group's coordinator has died and not yet been replaced) keeps asking before its listeners open
     * without the group's table.
     */
    final int groupWaitSeconds;
    final SessionEnd sessionEnd;
    final int idleTimeoutSeconds;
    final int maxBatch;
    final int maxUpdateBytes;
    final int maxEntries;
    final int queueSize;
    /** How long a request of a locked new client waits for the owner's decision before choosing by the hash. */
    final int lockWaitMillis;
    /** How long a session's end is remembered, so that a peer's older entry does not bring it back. */
    final int tombstoneSeconds;

    private DispatcherSettings(boolean enabled, String group, String node, Transport transport, InetAddress bindAddress,
                               int bindPort, List<InetSocketAddress> members, Path discoveryDir, InetAddress mcastAddress,
                               int mcastPort, int joinTimeoutMillis, int groupWaitSeconds, SessionEnd sessionEnd, int idleTimeoutSeconds,
                               int maxBatch, int maxUpdateBytes, int maxEntries, int queueSize, int lockWaitMillis, int tombstoneSeconds) {
        this.enabled = enabled;
        this.group = group;
        this.node = node;
        this.transport = transport;
        this.bindAddress = bindAddress;
        this.bindPort = bindPort;
        this.members = List.copyOf(members);
        this.discoveryDir = discoveryDir;
        this.mcastAddress = mcastAddress;
        this.mcastPort = mcastPort;
        this.joinTimeoutMillis = joinTimeoutMillis;
        this.groupWaitSeconds = groupWaitSeconds;
        this.sessionEnd = sessionEnd;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.maxBatch = maxBatch;
        this.maxUpdateBytes = maxUpdateBytes;
        this.maxEntries = maxEntries;
        this.queueSize = queueSize;
        this.lockWaitMillis = lockWaitMillis;
        this.tombstoneSeconds = tombstoneSeconds;
    }

    static DispatcherSettings parse(Map<String, ?> props) throws ConfigProblem {
        ConfigReader r = new ConfigReader(props, KEYS);
        r.rejectUnknownKeys();
        boolean enabled = r.bool("enabled", false);
        String group = r.string("group", "switchboard");
        if (!NAME.matcher(group).matches()) {
            throw new ConfigProblem("group", "'" + group + "' is not a name (letters, digits, '.', '_', '-', at most 64)");
        }
        Transport transport = Transport.valueOf(r.choice("transport", "tcp", "tcp", "udp").toUpperCase());
        InetAddress bind = address(r, "bindAddress", "127.0.0.1");
        int port = r.integer("bindPort", 7800, 1, 65535);
        String node = r.string("node", bind.getHostAddress() + ":" + port);
        if (!NAME.matcher(node.replace(':', '_')).matches()) {
            throw new ConfigProblem("node", "'" + node + "' is not a name (letters, digits, '.', '_', '-', ':', at most 64)");
        }
        List<InetSocketAddress> members = new ArrayList<>();
        for (String m : r.list("members")) {
            Matcher x = MEMBER.matcher(m);
            if (!x.matches()) {
                throw new ConfigProblem("members", "'" + m + "' is not host[port] (e.g. 10.0.0.2[7800])");
            }
            int p = Integer.parseInt(x.group(2));
            if (p < 1 || p > 65535) {
                throw new ConfigProblem("members", "'" + m + "': port " + p + " is out of range");
            }
            try {
                members.add(new InetSocketAddress(InetAddress.getByName(x.group(1)), p));
            } catch (UnknownHostException e) {
                throw new ConfigProblem("members", "'" + m + "': unknown host " + x.group(1));
            }
        }
        String dir = r.string("discoveryDir", "");
        Path discoveryDir = null;
        if (!dir.isEmpty()) {
            try {
                discoveryDir = Path.of(dir);
            } catch (InvalidPathException e) {
                throw new ConfigProblem("discoveryDir", "'" + dir + "' is not a path: " + e.getReason());
            }
            if (!members.isEmpty()) {
                throw new ConfigProblem("discoveryDir", "give either members (a static list) or discoveryDir (a shared directory), not both");
            }
        }
        if (transport == Transport.UDP && (discoveryDir != null || !members.isEmpty())) {
            throw new ConfigProblem("transport", "udp finds its peers by multicast: members and discoveryDir are for tcp");
        }
        if (transport == Transport.TCP && discoveryDir == null && members.isEmpty()) {
            members.add(new InetSocketAddress(bind, port)); // a group of one, on this machine
        }
        InetAddress mcast = address(r, "mcastAddress", "228.8.8.8");
        if (!mcast.isMulticastAddress()) {
            throw new ConfigProblem("mcastAddress", mcast.getHostAddress() + " is not a multicast address");
        }
        int mcastPort = r.integer("mcastPort", 45588, 1, 65535);
        int joinTimeout = r.integer("joinTimeoutMillis", 5000, 100, 600_000);
        int groupWait = r.integer("groupWaitSeconds", 60, 1, 3600);
        SessionEnd end = SessionEnd.valueOf(r.choice("sessionEnd", "idle", "idle", "explicit", "close").toUpperCase());
        int idle = r.integer("idleTimeoutSeconds", 300, 1, 86_400 * 30);
        int maxBatch = r.integer("maxBatch", 512, 1, 65_536);
        int maxUpdateBytes = r.integer("maxUpdateBytes", 1 << 20, 1024, 64 << 20);
        int maxEntries = r.integer("maxEntries", 1_000_000, 1, 100_000_000);
        int queueSize = r.integer("queueSize", 262_144, 16, 16 << 20);
        int lockWait = r.integer("lockWaitMillis", 50, 1, 10_000);
        int tombstones = r.integer("tombstoneSeconds", 600, 1, 86_400 * 30);
        return new DispatcherSettings(enabled, group, node, transport, bind, port, members, discoveryDir, mcast, mcastPort,
                joinTimeout, groupWait, end, idle, maxBatch, maxUpdateBytes, maxEntries, queueSize, lockWait, tombstones);
    }

    private static InetAddress address(ConfigReader r, String key, String dflt) throws ConfigProblem {
        String s = r.string(key, dflt);
        try {
            // literal addresses only: a name would be resolved at every start, and may resolve differently
            if (!s.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new UnknownHostException();
            }
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new ConfigProblem(key, "'" + s + "' is not an IP address");
        }
    }

    /** For operators: who this dispatcher is and how it finds the others. */
    String describe() {
        if (!enabled) {
            return "off (enabled = false in conf/io.switchboard.dispatchers.cfg): this dispatcher balances on its own";
        }
        String how = transport == Transport.UDP
                ? "udp multicast " + mcastAddress.getHostAddress() + ":" + mcastPort
                : "tcp, " + (discoveryDir != null ? "peers listed in " + ConfigReader.display(discoveryDir) : "members " + memberList());
        return "dispatcher " + node + " in group " + group + " on " + bindAddress.getHostAddress() + ":" + bindPort + " (" + how
                + "), sessions end on " + sessionEnd.name().toLowerCase()
                + (sessionEnd == SessionEnd.IDLE ? " after " + idleTimeoutSeconds + " s" : "");
    }

    String memberList() {
        StringBuilder sb = new StringBuilder();
        for (InetSocketAddress m : members) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(m.getAddress().getHostAddress()).append('[').append(m.getPort()).append(']');
        }
        return sb.toString();
    }

    /** Whether the group must be joined anew (the rest applies in place). */
    boolean sameGroup(DispatcherSettings o) {
        return o != null && enabled == o.enabled && group.equals(o.group) && node.equals(o.node) && transport == o.transport
                && bindAddress.equals(o.bindAddress) && bindPort == o.bindPort && members.equals(o.members)
                && java.util.Objects.equals(discoveryDir, o.discoveryDir) && mcastAddress.equals(o.mcastAddress)
                && mcastPort == o.mcastPort;
    }
}
