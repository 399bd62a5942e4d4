package io.switchboard.transport.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.switching.TrackedFlow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The connection table's shelves, one per loop, each written by one thread: the bound holds exactly
 * while loops open at the same moment, places one loop gave back serve another, ids stay unique,
 * and the shelves (and a table of the version before them) go to the next version.
 */
class ConnectionTableShelvesTest {

    @Test
    void theBoundHoldsExactlyWhileFourLoopsOpenAtOnceAndEveryPlaceComesBack() throws Exception {
        ConnectionTable table = new ConnectionTable(new AtomicLong());
        table.bound(1000);
        int loops = 4;
        int each = 5000;
        List<List<long[]>> opened = new ArrayList<>();
        List<List<TrackedFlow>> flows = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(loops);
        List<Thread> threads = new ArrayList<>();
        List<ConnectionTable.LoopFlows> shelves = new ArrayList<>();
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        for (int l = 0; l < loops; l++) {
            Object loop = new Object();
            List<long[]> stamps = new ArrayList<>();
            List<TrackedFlow> mine = new ArrayList<>();
            opened.add(stamps);
            flows.add(mine);
            ConnectionTable.LoopFlows shelf = table.on(loop); // handed to the thread by start()
            shelves.add(shelf);
            Thread t = new Thread(() -> {
                await(start);
                for (int i = 0; i < each; i++) {
                    TrackedFlow f = flow(shelf.nextId());
                    ids.add(f.id());
                    mine.add(f);
                    stamps.add(new long[] {shelf.opened(f)});
                    if (i % 3 == 0) { // some close at once: their places must serve the others
                        shelf.closed(f, stamps.get(i)[0]);
                        stamps.get(i)[0] = -1;
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(loops * each, ids.size(), "every flow its own id");
        assertEquals(1000, table.stats().tracked(), table.stats().toString());
        assertEquals(1000, table.snapshot().size());
        long open = 0;
        for (List<long[]> s : opened) {
            open += s.stream().filter(x -> x[0] != -1).count();
        }
        assertEquals(open - 1000, table.stats().untrackedOpen(), "the flows still open and not listed");

        // every loop closes what it has open: the table is empty, and one loop can fill it alone
        closeAll(shelves, opened, flows);
        assertEquals(0, table.stats().tracked());
        assertEquals(0, table.stats().untrackedOpen());
        ConnectionTable.LoopFlows one = table.on("one loop");
        for (int i = 0; i < 1000; i++) {
            assertTrue(one.opened(flow(one.nextId())) != 0, "place " + i + " of 1000 is free again");
        }
        assertEquals(0, one.opened(flow(one.nextId())), "and no more");
    }

    @Test
    void aShrunkenBoundTakesBackWhatTheLoopsHoldAndAGrownOneGivesRoom() {
        ConnectionTable table = new ConnectionTable(new AtomicLong());
        ConnectionTable.LoopFlows a = table.on("a");
        ConnectionTable.LoopFlows b = table.on("b");
        List<TrackedFlow> f = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // a holds a chunk of spare places now
            TrackedFlow x = flow(a.nextId());
            f.add(x);
            stamps.add(a.opened(x));
        }
        table.bound(12);
        assertTrue(b.opened(flow(b.nextId())) != 0);
        assertTrue(b.opened(flow(b.nextId())) != 0);
        assertEquals(0, b.opened(flow(b.nextId())), "12 listed: full, whatever a held before");
        assertEquals(0, a.opened(flow(a.nextId())));
        table.bound(5); // below what is listed: nobody new until enough have closed
        for (int i = 0; i < 7; i++) {
            a.closed(f.get(i), stamps.get(i));
        }
        assertEquals(0, b.opened(flow(b.nextId())), "5 listed: full");
        a.closed(f.get(7), stamps.get(7));
        assertTrue(b.opened(flow(b.nextId())) != 0, "one closed: room for one");
        table.bound(100);
        assertEquals(5, table.stats().tracked());
        for (int i = 0; i < 95; i++) {
            assertTrue(a.opened(flow(a.nextId())) != 0);
        }
        assertEquals(0, b.opened(flow(b.nextId())));
        assertEquals(100, table.stats().tracked());
    }

    @Test
    void theShelvesAndATableOfTheVersionBeforeThemGoToTheNextVersion() {
        AtomicLong ids = new AtomicLong();
        ConnectionTable first = new ConnectionTable(ids);
        first.bound(3);
        ConnectionTable.LoopFlows a = first.on("a");
        TrackedFlow x = flow(a.nextId());
        long stamp = a.opened(x);
        ConnectionTable second = ConnectionTable.take(first.leave(), ids);
        assertEquals(List.of(x), second.snapshot());
        ConnectionTable.LoopFlows a2 = second.on("a");
        TrackedFlow y = flow(a2.nextId());
        assertTrue(y.id() > x.id(), "ids go on");
        a2.opened(y);
        assertEquals(List.of(x, y), second.snapshot(), "in opening order");
        a.closed(x, stamp); // the first version's flow leaves through the first version's code
        assertEquals(List.of(y), second.snapshot());

        // the version before the shelves left one map: its flows are listed until they close
        ConcurrentHashMap<Long, TrackedFlow> old = new ConcurrentHashMap<>(Map.of(7L, flow(7)));
        Map<String, Object> left = new HashMap<>(Map.of("flows", old, "bound", new AtomicLong(2), "untrackedOpen", new AtomicLong(1),
                "untracked", new AtomicLong(4)));
        ConnectionTable third = ConnectionTable.take(left, new AtomicLong(7));
        ConnectionTable.LoopFlows b = third.on("b");
        TrackedFlow z = flow(b.nextId());
        b.opened(z);
        assertEquals(List.of(7L, 8L), ids(third.snapshot()));
        assertEquals("2 tracked of at most 2, 1 open untracked, 4 untracked since start", third.stats().toString());
        old.remove(7L);
        assertEquals(List.of(8L), ids(third.snapshot()));
    }

    private static void closeAll(List<ConnectionTable.LoopFlows> shelves, List<List<long[]>> opened, List<List<TrackedFlow>> flows)
            throws InterruptedException {
        List<Thread> closers = new ArrayList<>();
        for (int l = 0; l < opened.size(); l++) {
            List<long[]> stamps = opened.get(l);
            List<TrackedFlow> mine = flows.get(l);
            ConnectionTable.LoopFlows shelf = shelves.get(l);
            Thread t = new Thread(() -> {
                for (int i = 0; i < stamps.size(); i++) {
                    if (stamps.get(i)[0] != -1) {
                        shelf.closed(mine.get(i), stamps.get(i)[0]);
                    }
                }
            });
            closers.add(t);
            t.start();
        }
        for (Thread t : closers) {
            t.join();
        }
    }

    private static List<Long> ids(List<TrackedFlow> flows) {
        List<Long> out = new ArrayList<>();
        for (TrackedFlow f : flows) {
            out.add(f.id());
        }
        return out;
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrackedFlow flow(long id) {
        return new TrackedFlow() {
            @Override public long id() { return id; }
            @Override public String frontend() { return "f"; }
            @Override public String protocol() { return "p"; }
            @Override public String cluster() { return "c"; }
            @Override public java.net.InetSocketAddress clientAddress() { return null; }
            @Override public java.net.InetSocketAddress localAddress() { return null; }
            @Override public String attribute(String name) { return null; }
            @Override public long messages() { return 0; }
            @Override public long openedMillis() { return 0; }
            @Override public long bytesIn() { return 0; }
            @Override public long bytesOut() { return 0; }
            @Override public io.switchboard.api.flow.Reassignment reassignment() { return null; }
            @Override public long reassignedMillis() { return 0; }
            @Override public boolean closed() { return false; }
            @Override public io.switchboard.api.Endpoint endpoint() { return null; }
            @Override public void endpoint(io.switchboard.api.Endpoint e) { }
            @Override public void countMessage() { }
            @Override public void countIn(long bytes) { }
            @Override public void countOut(long bytes) { }
            @Override public void track(io.switchboard.api.flow.Reassignment r) { }
            @Override public boolean reassign(io.switchboard.api.flow.Reassignment r) { return false; }
            @Override public boolean handBack() { return false; }
            @Override public String owner() { return "default"; }
            @Override public String toString() { return "flow " + id; }
        };
    }
}
