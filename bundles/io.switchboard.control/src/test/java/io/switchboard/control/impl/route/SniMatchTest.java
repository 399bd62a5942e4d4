package io.switchboard.control.impl.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.RequestContext;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code sni} condition: the TLS handshake's server name, exact or {@code *.domain}, never the Host header. */
class SniMatchTest {
    private static RequestContext request(String sni, String host) {
        Map<String, String> a = new java.util.HashMap<>();
        if (sni != null) {
            a.put("sni", sni);
        }
        a.put("host", host);
        return new RequestContext() {
            @Override public String frontend() { return "web"; }
            @Override public InetSocketAddress clientAddress() { return new InetSocketAddress("127.0.0.1", 1); }
            @Override public String attribute(String name) { return a.get(name); }
        };
    }

    @Test
    void matchesTheHandshakesNameNotTheHost() {
        Match exact = Match.parse("sni=Shop.Example.com");
        assertEquals("sni=shop.example.com", exact.toString());
        assertTrue(exact.test(request("shop.example.com", "other.example")));
        assertFalse(exact.test(request(null, "shop.example.com")), "no TLS, or no SNI: never");
        assertFalse(exact.test(request("www.shop.example.com", "x")));
        Match wildcard = Match.parse("sni=*.example.com");
        assertTrue(wildcard.test(request("www.example.com", "x")));
        assertFalse(wildcard.test(request("example.com", "x")));
        assertThrows(IllegalArgumentException.class, () -> Match.parse("sni="));
        assertThrows(IllegalArgumentException.class, () -> Match.parse("sni:x=a"));
    }
}
