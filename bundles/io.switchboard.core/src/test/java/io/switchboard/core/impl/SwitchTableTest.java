package io.switchboard.core.impl;

import static io.switchboard.core.impl.Fixtures.fence;
import static io.switchboard.core.impl.Fixtures.handler;
import static io.switchboard.core.impl.Fixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.TableEdit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Edits through the control ring, one producer: what {@code table()} shows afterwards. */
class SwitchTableTest {
    private CoreManager core;

    @BeforeEach
    void start() {
        core = CoreManager.start(64, 64, "blocking");
    }

    @AfterEach
    void stop() {
        core.deactivate();
    }

    @Test
    void startsEmptyAtVersionZero() {
        SwitchTable t = core.table();
        assertEquals(0, t.version());
        assertTrue(t.handlers().isEmpty());
        assertTrue(t.reassignments().isEmpty());
    }

    @Test
    void putHandlerBecomesVisibleInANewerVersion() {
        long before = core.table().version();
        HandlerEntry a = handler("api", 11);
        core.edit(TableEdit.putHandler(a));
        Poll.until(() -> core.table().handlers().get("api") == a, () -> "handler never visible: " + core.table().handlers());
        assertTrue(core.table().version() > before, "version did not increase");
    }

    @Test
    void putHandlerReplacesTheHandlerOfTheSameType() {
        HandlerEntry first = handler("api", 11);
        HandlerEntry second = handler("api", 12);
        HandlerEntry other = handler("static", 13);
        core.edit(TableEdit.putHandler(first));
        core.edit(TableEdit.putHandler(other));
        core.edit(TableEdit.putHandler(second));
        Poll.until(() -> core.table().handlers().get("api") == second, () -> "replacement never visible");
        Map<String, HandlerEntry> h = core.table().handlers();
        assertEquals(2, h.size(), h.toString());
        assertSame(other, h.get("static"));
    }

    @Test
    void removeHandlerWithTheCurrentServiceIdRemovesIt() {
        HandlerEntry a = handler("api", 11);
        HandlerEntry b = handler("static", 12);
        core.edit(TableEdit.putHandler(a));
        core.edit(TableEdit.putHandler(b));
        Poll.until(() -> core.table().handlers().size() == 2, () -> "puts never visible");
        long before = core.table().version();

        // a REMOVE built from another HandlerEntry instance with the same type and service id counts
        core.edit(TableEdit.removeHandler(handler("api", 11)));
        Poll.until(() -> !core.table().handlers().containsKey("api"), () -> "remove never visible");
        assertSame(b, core.table().handlers().get("static"));
        assertTrue(core.table().version() > before);
    }

    @Test
    void removeForAServiceIdThatIsNotTheCurrentOneIsIgnored() {
        HandlerEntry old = handler("api", 11);
        HandlerEntry current = handler("api", 12);
        core.edit(TableEdit.putHandler(old));
        core.edit(TableEdit.putHandler(current));
        Poll.until(() -> core.table().handlers().get("api") == current, () -> "put never visible");

        // the old service going away after its replacement registered must not remove the replacement
        core.edit(TableEdit.removeHandler(old));
        // a remove for a type nobody registered is ignored too (and does not break the writer)
        core.edit(TableEdit.removeHandler(handler("nobody", 99)));
        fence(core);

        assertSame(current, core.table().handlers().get("api"));
        assertEquals(1, core.table().handlers().size(), core.table().handlers().toString());
    }

    @Test
    void reassignedRecordAppearsAndReleasedRecordDisappears() {
        ReassignmentRecord r1 = record(1, "web");
        ReassignmentRecord r2 = record(2, "web");
        core.edit(TableEdit.reassigned(r1));
        core.edit(TableEdit.reassigned(r2));
        Poll.until(() -> core.table().reassignments().size() == 2, () -> "records never visible: " + core.table().reassignments());
        assertSame(r1, core.table().reassignments().get(1L));
        assertSame(r2, core.table().reassignments().get(2L));

        core.edit(TableEdit.released(1));
        Poll.until(() -> !core.table().reassignments().containsKey(1L), () -> "release never visible");
        assertSame(r2, core.table().reassignments().get(2L));

        // releasing a flow that is not reassigned changes nothing
        core.edit(TableEdit.released(42));
        fence(core);
        assertEquals(Map.of(2L, r2), core.table().reassignments());
    }

    @Test
    void reassigningAFlowAgainReplacesItsRecord() {
        ReassignmentRecord first = record(7, "web");
        ReassignmentRecord second = record(7, "api");
        core.edit(TableEdit.reassigned(first));
        core.edit(TableEdit.reassigned(second));
        Poll.until(() -> core.table().reassignments().get(7L) == second, () -> "second record never visible");
        assertEquals(1, core.table().reassignments().size());
    }

    @Test
    void editsOfOneProducerApplyInOrder() {
        for (long flow = 100; flow < 200; flow++) {
            core.edit(TableEdit.reassigned(record(flow, "web")));
            core.edit(TableEdit.released(flow));
        }
        ReassignmentRecord last = record(200, "web");
        core.edit(TableEdit.reassigned(last));
        Poll.until(() -> core.table().reassignments().get(200L) == last, () -> "last record never visible");
        // everything queued before the last edit has been applied, in order: only the last one is left
        assertEquals(Map.of(200L, last), core.table().reassignments());
    }

    @Test
    void publishedSnapshotsAreImmutable() {
        HandlerEntry a = handler("api", 11);
        core.edit(TableEdit.putHandler(a));
        core.edit(TableEdit.reassigned(record(1, "web")));
        Poll.until(() -> core.table().reassignments().containsKey(1L) && core.table().handlers().containsKey("api"),
                () -> "edits never visible");
        SwitchTable old = core.table();
        long oldVersion = old.version();

        core.edit(TableEdit.removeHandler(a));
        core.edit(TableEdit.released(1));
        core.edit(TableEdit.reassigned(record(2, "web")));
        Poll.until(() -> core.table().reassignments().containsKey(2L), () -> "later edits never visible");

        // later edits made new versions; the old one still reads as it did
        assertEquals(oldVersion, old.version());
        assertSame(a, old.handlers().get("api"));
        assertTrue(old.reassignments().containsKey(1L));
        assertFalse(old.reassignments().containsKey(2L));
        assertNull(core.table().handlers().get("api"));
        assertTrue(core.table().version() > oldVersion);
        // and a reader cannot change a snapshot
        assertThrows(UnsupportedOperationException.class, () -> old.handlers().put("x", a));
        assertThrows(UnsupportedOperationException.class, () -> old.reassignments().remove(1L));
        assertThrows(UnsupportedOperationException.class, () -> core.table().handlers().put("x", a));
    }
}
