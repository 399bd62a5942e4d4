package io.switchboard.control.impl.route;

import io.switchboard.api.RequestContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One condition on a request, written {@code kind:name=value} or {@code kind=value}:
 * <ul>
 * <li>{@code path=/api} — the path starts with the value;</li>
 * <li>{@code host=shop.example.com} — the Host, without port, case-insensitive ({@code *.example.com}
 * matches any subdomain);</li>
 * <li>{@code sni=shop.example.com} — the server name the client asked for in its TLS handshake
 * (case-insensitive, {@code *.example.com} for subdomains); never holds on a connection without TLS
 * or without SNI;</li>
 * <li>{@code method=GET} — the request type;</li>
 * <li>{@code header:X-Tier=gold}, {@code cookie:tier=gold}, {@code query:version=2} — the named
 * header, cookie or query parameter has the value (without {@code =value}: is present). A client id
 * or user id carried in a header or cookie is matched this way;</li>
 * <li>{@code client=10.0.0.0/8} — the client's address is in the block (or is the address);</li>
 * <li>{@code device=mobile} — the device type told by the User-Agent: {@code mobile}, {@code desktop}
 * or {@code bot}.</li>
 * </ul>
 * Values are compared as written, except host (case-insensitive) and method (upper case).
 */
public final class Match {
    /** What a condition looks at. */
    public enum Kind { PATH, HOST, SNI, METHOD, HEADER, COOKIE, QUERY, CLIENT, DEVICE }

    private final Kind kind;
    private final String name;
    private final String value;
    private final byte[] network;
    private final int prefixBits;

    private Match(Kind kind, String name, String value, byte[] network, int prefixBits) {
        this.kind = kind;
        this.name = name;
        this.value = value;
        this.network = network;
        this.prefixBits = prefixBits;
    }

    /** Parses a condition; the message of the exception says what is wrong with it. */
    public static Match parse(String text) {
        String t = text.trim();
        int eq = t.indexOf('=');
        String left = eq < 0 ? t : t.substring(0, eq).trim();
        String value = eq < 0 ? null : t.substring(eq + 1).trim();
        String kindName = left;
        String name = null;
        int colon = left.indexOf(':');
        if (colon >= 0) {
            kindName = left.substring(0, colon).trim();
            name = left.substring(colon + 1).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': no name after '" + kindName + ":'");
            }
        }
        Kind kind;
        try {
            kind = Kind.valueOf(kindName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': unknown condition '" + kindName
                    + "' (path, host, sni, method, header:NAME, cookie:NAME, query:NAME, client, device)");
        }
        boolean named = kind == Kind.HEADER || kind == Kind.COOKIE || kind == Kind.QUERY;
        if (named != (name != null)) {
            throw new IllegalArgumentException("'" + text + "': " + (named ? kindName + " needs a name, e.g. " + kindName + ":NAME=value"
                    : kindName + " takes no name"));
        }
        if (!named && (value == null || value.isEmpty())) {
            throw new IllegalArgumentException("'" + text + "': " + kindName + " needs a value");
        }
        switch (kind) {
            case METHOD:
                return new Match(kind, null, value.toUpperCase(Locale.ROOT), null, 0);
            case HOST:
            case SNI:
                return new Match(kind, null, value.toLowerCase(Locale.ROOT), null, 0);
            case DEVICE:
                if (!value.equals("mobile") && !value.equals("desktop") && !value.equals("bot")) {
                    throw new IllegalArgumentException("'" + text + "': device is mobile, desktop or bot");
                }
                return new Match(kind, null, value, null, 0);
            case CLIENT: {
                int slash = value.indexOf('/');
                String ip = slash < 0 ? value : value.substring(0, slash);
                if (!ip.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                    throw new IllegalArgumentException("'" + text + "': client is an IP address or block, e.g. 10.0.0.0/8");
                }
                byte[] net;
                try {
                    net = InetAddress.getByName(ip).getAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("'" + text + "': '" + ip + "' is not an IP address");
                }
                int bits = net.length * 8;
                if (slash >= 0) {
                    try {
                        bits = Integer.parseInt(value.substring(slash + 1));
                    } catch (NumberFormatException e) {
                        bits = -1;
                    }
                    if (bits < 0 || bits > net.length * 8) {
                        throw new IllegalArgumentException("'" + text + "': bad prefix length");
                    }
                }
                return new Match(kind, null, value, net, bits);
            }
            default:
                return new Match(kind, name, value, null, 0);
        }
    }

    public Kind kind() { return kind; }

    /** Does the request meet the condition? Never throws. */
    public boolean test(RequestContext r) {
        switch (kind) {
            case PATH: {
                String p = r.attribute("path");
                return p != null && p.startsWith(value);
            }
            case HOST: {
                String h = r.attribute("host");
                if (h == null) {
                    return false;
                }
                int colon = h.lastIndexOf(':');
                if (colon > 0 && h.indexOf(']') < colon) {
                    h = h.substring(0, colon);
                }
                h = h.toLowerCase(Locale.ROOT);
                return value.startsWith("*.") ? h.endsWith(value.substring(1)) : h.equals(value);
            }
            case SNI: {
                String n = r.attribute("sni");
                return n != null && (value.startsWith("*.") ? n.endsWith(value.substring(1)) : n.equals(value));
            }
            case METHOD:
                return value.equals(r.attribute("method"));
            case HEADER:
            case COOKIE:
            case QUERY: {
                String v = r.attribute(kind.name().toLowerCase(Locale.ROOT) + ":" + name);
                return v != null && (value == null || value.equals(v));
            }
            case CLIENT:
                return r.clientAddress() != null && inBlock(r.clientAddress().getAddress().getAddress());
            case DEVICE:
                return value.equals(r.attribute("device"));
            default:
                return false;
        }
    }

    private boolean inBlock(byte[] a) {
        if (a.length != network.length) {
            return false;
        }
        int bits = prefixBits;
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Match && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        String k = kind.name().toLowerCase(Locale.ROOT);
        return (name == null ? k : k + ":" + name) + (value == null ? "" : "=" + value);
    }
}
