package io.switchboard.control.impl.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.routing.RouteRule;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteManagerTest {
    private static ConfiguredRoute route(String name, String cluster, String source) {
        return new ConfiguredRoute(name, 100, List.of(), List.of(Match.parse("path=/api")), cluster, source);
    }

    @Test
    void twoFilesThatDefineOneRouteDoNotMix() {
        RouteManager m = new RouteManager();
        assertNull(m.put(route("api", "one", "conf/io.switchboard.route-one.cfg")));
        String conflict = m.put(route("api", "two", "conf/io.switchboard.route-two.cfg"));
        assertEquals("key 'name': route api is already defined by conf/io.switchboard.route-one.cfg", conflict);
        assertEquals(List.of("one"), clusters(m), "the first file's rule routes, alone");
        assertEquals("conf/io.switchboard.route-one.cfg", m.definedBy("api"));

        m.remove("api", "conf/io.switchboard.route-two.cfg"); // the refused file going away removes nothing
        assertEquals(List.of("one"), clusters(m));

        m.remove("api", "conf/io.switchboard.route-one.cfg"); // the file that defines it going away removes it
        assertEquals(List.of(), clusters(m));
        assertNull(m.definedBy("api"));
        assertNull(m.put(route("api", "two", "conf/io.switchboard.route-two.cfg")), "once free, the name is anyone's");
        assertEquals(List.of("two"), clusters(m));
    }

    @Test
    void theFileThatDefinesARouteChangesItInPlace() {
        RouteManager m = new RouteManager();
        assertNull(m.put(route("api", "one", "conf/a.cfg")));
        assertNull(m.put(route("api", "two", "conf/a.cfg")));
        assertEquals(List.of("two"), clusters(m));
        assertTrue(m.rules().size() == 1);
    }

    @Test
    void everyChangeOfTheRulesPublishesATable() {
        io.switchboard.control.impl.ConfigTablePublisher tables = new io.switchboard.control.impl.ConfigTablePublisher();
        RouteManager m = new RouteManager();
        m.setTables(tables);
        assertNull(m.put(route("api", "one", "conf/a.cfg")));
        long v = tables.current().version();
        assertEquals(m.rules(), tables.current().routes());
        m.remove("api", "conf/a.cfg");
        assertEquals(List.of(), tables.current().routes());
        assertTrue(tables.current().version() > v, "a new table for every change");
    }

    private static List<String> clusters(RouteManager m) {
        return m.rules().stream().map(RouteRule::cluster).toList();
    }
}
