package io.switchboard.core.impl;

import static io.switchboard.core.impl.Fixtures.fence;
import static io.switchboard.core.impl.Fixtures.handler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerEntry;
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
    void editsOfOneProducerApplyInOrder() {
        for (long id = 100; id < 200; id++) {
            core.edit(TableEdit.putHandler(handler("ordered", id)));
        }
        HandlerEntry last = handler("ordered", 200);
        core.edit(TableEdit.putHandler(last));
        Poll.until(() -> core.table().handlers().get("ordered") == last, () -> "last edit never visible");
        fence(core);
        // everything queued before the last edit has been applied, in order: only the last one is left
        assertSame(last, core.table().handlers().get("ordered"));
    }

    @Test
    void publishedSnapshotsAreImmutable() {
        HandlerEntry a = handler("api", 11);
        core.edit(TableEdit.putHandler(a));
        Poll.until(() -> core.table().handlers().containsKey("api"), () -> "edits never visible");
        SwitchTable old = core.table();
        long oldVersion = old.version();

        HandlerEntry b = handler("web", 12);
        core.edit(TableEdit.removeHandler(a));
        core.edit(TableEdit.putHandler(b));
        Poll.until(() -> core.table().handlers().containsKey("web"), () -> "later edits never visible");

        // later edits made new versions; the old one still reads as it did
        assertEquals(oldVersion, old.version());
        assertSame(a, old.handlers().get("api"));
        assertFalse(old.handlers().containsKey("web"));
        assertNull(core.table().handlers().get("api"));
        assertTrue(core.table().version() > oldVersion);
        // and a reader cannot change a snapshot
        assertThrows(UnsupportedOperationException.class, () -> old.handlers().put("x", a));
        assertThrows(UnsupportedOperationException.class, () -> core.table().handlers().put("x", a));
    }
}
