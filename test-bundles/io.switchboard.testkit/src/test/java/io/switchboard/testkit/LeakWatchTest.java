package io.switchboard.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak watch catches a leaked buffer: the other tests' "no leak" means something. */
class LeakWatchTest {
    @Test
    void aLeakedBufferFailsTheCheck() {
        leak();
        AssertionError e = assertThrows(AssertionError.class, LeakWatch::assertNoLeaks);
        assertTrue(e.getMessage().contains("LEAK"), e.getMessage());
        LeakWatch.assertNoLeaks(); // reported once, then clean
    }

    private static void leak() {
        PooledByteBufAllocator.DEFAULT.buffer(64).writeLong(42); // never released
    }
}
