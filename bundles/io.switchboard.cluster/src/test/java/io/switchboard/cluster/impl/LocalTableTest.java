package io.switchboard.cluster.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.dispatch.DispatchEntry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalTableTest {
    @Test
    void lastWriterWinsThenTheLowerOwnerInAnyOrder() {
        DispatchEntry older = new DispatchEntry("web", "c", "app1", 10, "d2");
        DispatchEntry newer = new DispatchEntry("web", "c", "app2", 11, "d3");
        DispatchEntry tieLow = new DispatchEntry("web", "c", "app3", 11, "d1");
        for (DispatchEntry[] order : new DispatchEntry[][] {{older, newer, tieLow}, {tieLow, newer, older}, {newer, older, tieLow}}) {
            LocalTable t = new LocalTable();
            for (DispatchEntry e : order) {
                t.merge(e);
            }
            assertEquals("app3", t.get("web", "c").endpoint());
        }
    }

    @Test
    void recordKeepsAnEntryThatIsThere() {
        LocalTable t = new LocalTable();
        DispatchEntry theirs = new DispatchEntry("web", "c", "app1", 10, "d2");
        t.merge(theirs);
        assertSame(theirs, t.putIfAbsent(new DispatchEntry("web", "c", "app2", 12, "d1")));
    }

    @Test
    void aRemovalDoesNotTakeALaterSession() {
        LocalTable t = new LocalTable();
        t.merge(new DispatchEntry("web", "c", "app1", 20, "d2"));
        assertFalse(t.remove("web", "c", 19));
        assertTrue(t.remove("web", "c", 21));
        assertNull(t.get("web", "c"));
    }

    @Test
    void aRemovalIsRememberedAndKeepsOlderEntriesOutButNotNewerOnes() {
        LocalTable t = new LocalTable(new java.util.concurrent.ConcurrentHashMap<>(), new java.util.concurrent.ConcurrentHashMap<>(), 2);
        assertFalse(t.remove("web", "c", 30)); // a removal of an entry this table never had is remembered too
        assertFalse(t.merge(new DispatchEntry("web", "c", "app1", 29, "d1")), "an entry older than the removal stays out");
        assertFalse(t.merge(new DispatchEntry("web", "c", "app1", 30, "d1")), "a tie goes to the removal");
        assertNull(t.get("web", "c"));
        assertTrue(t.merge(new DispatchEntry("web", "c", "app2", 31, "d2")), "a session begun after the end is a new one");
        assertEquals(1, t.removals().size());
        assertEquals(30, t.removals().get(0).at);
        t.remove("web", "d", 5);
        t.remove("web", "e", 5); // over maxTombstones (2): not remembered, memory stays bounded
        assertEquals(2, t.tombstoneCount());
        t.forgetRemovalsBefore(1); // hybrid times 5 and 30 are in millisecond 0
        assertEquals(0, t.tombstoneCount());
    }

    @Test
    void hybridClockStaysAboveWhatItSaw() {
        AtomicLong wall = new AtomicLong(1000);
        HybridClock c = new HybridClock(wall::get);
        long a = c.now();
        long b = c.now();
        assertTrue(b > a);
        c.witness((5000L << 16) + 3); // a peer whose clock runs ahead
        long d = c.now();
        assertTrue(d > (5000L << 16) + 3);
        assertEquals(5000, HybridClock.millis(d));
    }
}
