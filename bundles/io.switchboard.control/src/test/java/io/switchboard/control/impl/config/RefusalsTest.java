package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RefusalsTest {
    @Test
    void theHoldersRemovalNamesTheFilesThatStayRejectedOnce() {
        Refusals r = new Refusals();
        r.refused("conf/b.cfg", "frontend x", "conf/a.cfg");
        r.refused("conf/c.cfg", "port 8080", "conf/a.cfg");
        assertNull(r.released("conf/a.cfg", "cluster x"), "only what was refused");
        assertEquals("conf/b.cfg was refused frontend x while conf/a.cfg held it, and stays rejected until changed or touched",
                r.released("conf/a.cfg", "frontend x"));
        assertNull(r.released("conf/a.cfg", "frontend x"), "said once");
        r.cleared("conf/c.cfg"); // applied since, or gone
        assertNull(r.released("conf/a.cfg", "port 8080"));
    }
}
