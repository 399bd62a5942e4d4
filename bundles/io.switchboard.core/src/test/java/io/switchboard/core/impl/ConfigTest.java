package io.switchboard.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.TableEdit;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    @ParameterizedTest
    @ValueSource(ints = {-8, 0, 1, 3, 6, 1000, 4095, Integer.MAX_VALUE})
    void controlRingSizeMustBeAPowerOfTwo(int size) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoreManager.start(size, 1024, "blocking"));
        assertTrue(e.getMessage().contains("controlRingSize"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {-8, 0, 1, 3, 6, 1000, 4095, Integer.MAX_VALUE})
    void busRingSizeMustBeAPowerOfTwo(int size) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoreManager.start(1024, size, "blocking"));
        assertTrue(e.getMessage().contains("busRingSize"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "spin", "busy_spin", "lite-blocking", "timeout"})
    void unknownWaitStrategyIsRejected(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoreManager.start(1024, 1024, name));
        assertTrue(e.getMessage().contains("wait strategy"), e.getMessage());
    }

    @Test
    void unknownWaitStrategyIsRejectedByName() {
        assertThrows(IllegalArgumentException.class, () -> WaitStrategies.byName("nope"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "sleeping", "yielding", "busy-spin", " Blocking ", "BUSY-SPIN"})
    void everyDocumentedWaitStrategyWorks(String name) throws InterruptedException {
        CoreManager core = CoreManager.start(2, 2, name); // 2 is the smallest ring
        HandlerBus bus = core.newBus("config", 1);
        try {
            CountDownLatch ran = new CountDownLatch(1);
            assertTrue(bus.publish(0, ran::countDown));
            assertTrue(ran.await(2, TimeUnit.SECONDS), "bus task did not run with " + name);
            core.edit(TableEdit.putHandler(Fixtures.handler("t", 1)));
            Poll.until(() -> core.table().handlers().containsKey("t"), () -> "edit not applied with " + name);
        } finally {
            bus.close();
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

    @Test
    void theComponentDefaultsAreValid() throws Exception {
        // what an OSGi activation without configuration gets
        CoreManager.Config defaults = (CoreManager.Config) Proxy.newProxyInstance(
                CoreManager.Config.class.getClassLoader(), new Class<?>[] {CoreManager.Config.class},
                (proxy, method, args) -> method.getDefaultValue());
        assertEquals(4096, defaults.controlRingSize());
        CoreManager core = CoreManager.start(defaults.controlRingSize(), defaults.busRingSize(), defaults.waitStrategy());
        core.deactivate();
    }
}
