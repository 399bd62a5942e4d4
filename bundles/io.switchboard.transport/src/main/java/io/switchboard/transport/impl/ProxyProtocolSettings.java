package io.switchboard.transport.impl;

import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A frontend's PROXY protocol options, which the transport reads (not the protocol): whether every
 * connection starts with a PROXY protocol header ({@code proxyProtocol = v1|v2|any}), the
 * addresses such headers are taken from ({@code proxyProtocolFrom}, required: no silent "trust
 * everyone"), and how long a header may take ({@code proxyProtocolTimeoutMillis}).
 */
final class ProxyProtocolSettings {
    static final Set<String> KEYS = Set.of("proxyProtocol", "proxyProtocolFrom", "proxyProtocolTimeoutMillis");
    /** The most TLV bytes a v2 header may carry (HAProxy sends a few dozen); a larger header is refused. */
    static final int MAX_TLV_BYTES = 2048;

    final boolean v1;
    final boolean v2;
    final List<Cidr> trusted;
    final long timeoutMillis;

    private ProxyProtocolSettings(boolean v1, boolean v2, List<Cidr> trusted, long timeoutMillis) {
        this.v1 = v1;
        this.v2 = v2;
        this.trusted = List.copyOf(trusted);
        this.timeoutMillis = timeoutMillis;
    }

    /** The frontend's options without the transport's PROXY protocol keys: what the protocol gets. */
    static Map<String, String> protocolOptions(Map<String, String> options) {
        Map<String, String> rest = new HashMap<>(options);
        rest.keySet().removeAll(KEYS);
        return rest;
    }

    /** The settings, or null when the frontend takes no PROXY protocol header. */
    static ProxyProtocolSettings parse(Map<String, String> options, boolean streamProtocol) throws ConfigProblem {
        Map<String, String> own = new HashMap<>(options);
        own.keySet().retainAll(KEYS);
        ConfigReader r = new ConfigReader(own, KEYS);
        String mode = r.choice("proxyProtocol", "off", "off", "v1", "v2", "any");
        if (mode.equals("off")) {
            for (String k : own.keySet()) {
                if (!k.equals("proxyProtocol")) {
                    throw new ConfigProblem(k, "set, but proxyProtocol is off (set proxyProtocol = v1, v2 or any)");
                }
            }
            return null;
        }
        if (!streamProtocol) {
            throw new ConfigProblem("proxyProtocol", "a datagram frontend takes no PROXY protocol header");
        }
        List<String> from = r.list("proxyProtocolFrom");
        if (from.isEmpty()) {
            throw new ConfigProblem("proxyProtocolFrom", "required with proxyProtocol = " + mode
                    + ": the addresses of the proxies in front (CIDR blocks, e.g. 10.0.0.0/8, 127.0.0.1)");
        }
        List<Cidr> trusted = new ArrayList<>();
        for (String block : from) {
            trusted.add(Cidr.parse(block));
        }
        long timeout = r.integer("proxyProtocolTimeoutMillis", 3000, 1, 600_000);
        return new ProxyProtocolSettings(!mode.equals("v2"), !mode.equals("v1"), trusted, timeout);
    }

    boolean trusts(InetAddress a) {
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return (v1 && v2 ? "any" : v1 ? "v1" : "v2") + " from " + trusted;
    }

    /** An address block: {@code 10.0.0.0/8}, {@code ::1/128}, or one address. */
    static final class Cidr {
        private final byte[] network;
        private final int bits;
        private final String text;

        private Cidr(byte[] network, int bits, String text) {
            this.network = network;
            this.bits = bits;
            this.text = text;
        }

        static Cidr parse(String block) throws ConfigProblem {
            String s = block.trim();
            int slash = s.indexOf('/');
            String host = slash < 0 ? s : s.substring(0, slash);
            if (!host.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new ConfigProblem("proxyProtocolFrom", "'" + block + "' is not an address or CIDR block (no host names)");
            }
            byte[] addr;
            try {
                addr = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new ConfigProblem("proxyProtocolFrom", "'" + block + "' is not an address or CIDR block");
            }
            int bits = addr.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new ConfigProblem("proxyProtocolFrom", "'" + block + "': prefix length is not a number");
                }
                if (bits < 0 || bits > addr.length * 8) {
                    throw new ConfigProblem("proxyProtocolFrom", "'" + block + "': prefix length out of range 0.." + addr.length * 8);
                }
            }
            return new Cidr(addr, bits, s);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
