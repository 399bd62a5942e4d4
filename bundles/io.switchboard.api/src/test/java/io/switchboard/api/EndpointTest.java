package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void aLocalEndpointIsWrittenLocalColonName() {
        Endpoint e = Endpoint.local("admin", "admin", 1);
        assertTrue(e.isLocal());
        assertEquals("admin", e.localName());
        assertEquals("local:admin", e.host());
        assertEquals(0, e.port());
        assertEquals("local:admin", e.addressText());
        assertEquals("admin=local:admin", e.toString());
        assertEquals("local:admin", Endpoint.local("local:admin", "admin", 1).toString());
        assertTrue(e.address().isUnresolved(), "no socket can connect to it");
    }

    @Test
    void aNetworkEndpointIsNotLocal() {
        Endpoint e = new Endpoint("a", "127.0.0.1", 8080, 2);
        assertFalse(e.isLocal());
        assertNull(e.localName());
        assertEquals("127.0.0.1:8080", e.addressText());
        assertEquals("a=127.0.0.1:8080;weight=2", e.toString());
    }

    @Test
    void withWeightKeepsEverythingElse() {
        Endpoint local = Endpoint.local("admin", "admin", 1);
        assertSame(local, local.withWeight(1));
        Endpoint heavier = local.withWeight(5);
        assertEquals(5, heavier.weight());
        assertEquals("admin", heavier.localName());
        assertNotEquals(local, heavier);
        assertEquals(new Endpoint("a", "127.0.0.1", 80, 3), new Endpoint("a", "127.0.0.1", 80, 1).withWeight(3));
    }

    @Test
    void badLocalNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.local("x", "", 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.local("x", "a b", 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.local("x", "-a", 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.local("x", "ok", -1));
    }
}
