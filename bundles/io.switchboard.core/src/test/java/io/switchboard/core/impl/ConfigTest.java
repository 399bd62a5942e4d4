package io.switchboard.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.TableEdit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A bad value in core.cfg is rejected with the key and the reason, and the core runs on what it had. */
class ConfigTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @ParameterizedTest
    @ValueSource(strings = {"-8", "0", "1", "3", "6", "1000", "4095", "abc"})
    void aControlRingSizeThatIsNoPowerOfTwoIsRejectedAndTheDefaultServes(String size) throws Exception {
        CoreManager core = CoreManager.start(Map.of("controlRingSize", size), log::add);
        try {
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.get(0).contains("config rejected") && log.get(0).contains("key 'controlRingSize'"), log.get(0));
            assertEquals(4096, core.controlRingSize());
            assertWorks(core);
        } finally {
            core.deactivate();
        }
    }

    @Test
    void aBadValueInAChangedConfigurationKeepsTheRunningSettings() throws Exception {
        CoreManager core = CoreManager.start(Map.of("busRingSize", 64, "waitStrategy", "yielding"), log::add);
        try {
            core.modified(Map.of("busRingSize", 128, "waitStrategy", "bogus"));
            assertTrue(log.get(0).contains("key 'waitStrategy': 'bogus' is not one of blocking, sleeping, yielding, busy-spin"), log.toString());
            assertEquals(64, core.busRingSize());
            assertEquals("yielding", core.waitStrategy());
            core.modified(Map.of("busRingSize", 128, "waitStrategy", "sleeping", "controlRingSize", 64));
            assertEquals(128, core.busRingSize());
            assertEquals("sleeping", core.waitStrategy());
            assertEquals(64, core.controlRingSize());
            assertWorks(core); // the control ring was replaced live, with the table it had
        } finally {
            core.deactivate();
        }
    }

    @Test
    void anUnknownKeyIsRejected() {
        CoreManager core = CoreManager.start(Map.of("controlRingsize", 64), log::add);
        core.deactivate();
        assertTrue(log.get(0).contains("key 'controlRingsize': unknown key"), log.toString());
    }

    private static void assertWorks(CoreManager core) throws InterruptedException {
        core.edit(TableEdit.putHandler(Fixtures.handler("probe", 1)));
        Poll.until(() -> core.table().handlers().containsKey("probe"), () -> "edit never visible");
        HandlerBus bus = core.newBus("probe", 1);
        CountDownLatch ran = new CountDownLatch(1);
        assertTrue(bus.publish(0, ran::countDown));
        assertTrue(ran.await(2, TimeUnit.SECONDS), "bus task did not run");
        bus.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "sleeping", "yielding", "busy-spin"})
    void everyWaitStrategyRunsABus(String name) throws Exception {
        CoreManager core = CoreManager.start(2, 2, name); // 2 is the smallest ring
        try {
            assertWorks(core);
        } finally {
            core.deactivate();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void aBusNeedsAtLeastOneThread(int threads) {
        CoreManager core = CoreManager.start(64, 64, "blocking");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> core.newBus("none", threads));
            assertTrue(e.getMessage().contains("threads"), e.getMessage());
        } finally {
            core.deactivate();
        }
    }
}
