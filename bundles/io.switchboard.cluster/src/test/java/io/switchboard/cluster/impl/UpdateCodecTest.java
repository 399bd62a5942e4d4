package io.switchboard.cluster.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.api.dispatch.DispatchEntry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateCodecTest {
    private static final int MAX = 1 << 20;

    @Test
    void roundTrip() throws Exception {
        DispatchEntry e = new DispatchEntry("web", "10.0.0.7", "app2", 123456789L << 16, "d1");
        byte[] b = UpdateCodec.encode(UpdateCodec.Kind.UPDATES, 7, 99, List.of(Update.put(e), Update.remove("web", "10.0.0.8", 5L), Update.touch("web", "10.0.0.7", 6L)));
        UpdateCodec.Batch batch = UpdateCodec.decode(b, 0, b.length, MAX);
        assertEquals(UpdateCodec.Kind.UPDATES, batch.kind);
        assertEquals(7, batch.id);
        assertEquals(99, batch.sentMicros);
        assertEquals(e, batch.updates.get(0).entry);
        assertEquals(Update.Kind.REMOVE, batch.updates.get(1).kind);
        assertEquals(5L, batch.updates.get(1).at);
        assertEquals(Update.Kind.TOUCH, batch.updates.get(2).kind);
    }

    @Test
    void locksHoldsAndReleasesRoundTripAndATimeOfZeroIsRefused() throws Exception {
        byte[] b = UpdateCodec.encode(UpdateCodec.Kind.UPDATES, 1, 1, List.of(Update.lock("web", "c", "d2", 9L), Update.hold("web", "c", "d3", 10L),
                Update.release("web", "c", "d3", 11L)));
        UpdateCodec.Batch batch = UpdateCodec.decode(b, 0, b.length, MAX);
        assertEquals(List.of(Update.Kind.LOCK, Update.Kind.HOLD, Update.Kind.RELEASE), batch.updates.stream().map(u -> u.kind).toList());
        assertEquals("d2", batch.updates.get(0).holder);
        assertEquals(9L, batch.updates.get(0).at);
        assertEquals("d3", batch.updates.get(2).holder);
        byte[] zero = UpdateCodec.encode(UpdateCodec.Kind.UPDATES, 1, 1, List.of(Update.lock("web", "c", "d2", 0L)));
        UpdateCodec.Malformed m = org.junit.jupiter.api.Assertions.assertThrows(UpdateCodec.Malformed.class, () -> UpdateCodec.decode(zero, 0, zero.length, MAX));
        assertEquals("update 0: time 0", m.getMessage());
    }

    @Test
    void malformedMessagesAreRefusedWhole() {
        byte[] good = UpdateCodec.encode(UpdateCodec.Kind.UPDATES, 1, 1,
                List.of(Update.put(new DispatchEntry("web", "c", "app1", 1L << 16, "d1"))));
        assertMalformed(Arrays.copyOf(good, good.length - 3), "cut short");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertMalformed(magic, "not a dispatch table message (bad magic)");
        byte[] version = good.clone();
        version[4] = 9;
        assertMalformed(version, "format version 9, this dispatcher reads 1");
        byte[] count = good.clone();
        count[22] = (byte) 0x7f; // the count's high byte
        assertMalformed(count, "update count 2130706433 out of range 0.." + UpdateCodec.MAX_COUNT);
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        assertMalformed(trailing, "2 bytes after the last update");
        byte[] op = good.clone();
        op[26] = 9;
        assertMalformed(op, "update 0: unknown operation 9");
        UpdateCodec.Malformed big = assertThrows(UpdateCodec.Malformed.class, () -> UpdateCodec.decode(new byte[2048], 0, 2048, 1024));
        assertEquals("2048 bytes, over maxUpdateBytes 1024", big.getMessage());
        String huge = "x".repeat(UpdateCodec.MAX_STRING + 1);
        byte[] longKey = UpdateCodec.encode(UpdateCodec.Kind.UPDATES, 1, 1, List.of(Update.remove("web", huge, 1)));
        assertMalformed(longKey, "update 0: client of 1025 bytes (1.." + UpdateCodec.MAX_STRING + ")");
    }

    private static void assertMalformed(byte[] b, String reason) {
        UpdateCodec.Malformed m = assertThrows(UpdateCodec.Malformed.class, () -> UpdateCodec.decode(b, 0, b.length, MAX));
        assertEquals(reason, m.getMessage());
    }
}
