package io.switchboard.control.impl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CountersEjectionTest {
    @Test
    void aRunOfMaxFailsFailuresIsOneEjectionAndNoMoreWhileItStaysOut() {
        Counters c = new Counters();
        c.passiveHealth(3, 3600);
        c.finished(false);
        c.finished(false);
        assertEquals(0, c.ejections());
        c.finished(false);
        assertEquals(1, c.ejections());
        c.finished(false); // still out (within failTimeout): the same ejection
        assertEquals(1, c.ejections());
        c.finished(true);
        c.finished(false);
        c.finished(false);
        c.finished(false);
        assertEquals(2, c.ejections());
    }

    @Test
    void aFailureOnTheFirstTryBackIsAnotherEjection() {
        Counters c = new Counters();
        c.passiveHealth(2, 0); // let back in at once
        c.finished(false);
        c.finished(false);
        c.finished(false);
        assertEquals(2, c.ejections());
    }

    @Test
    void withoutPassiveHealthNothingIsAnEjection() {
        Counters c = new Counters();
        c.passiveHealth(0, 10);
        for (int i = 0; i < 5; i++) {
            c.finished(false);
        }
        assertEquals(0, c.ejections());
    }
}
