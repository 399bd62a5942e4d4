package io.switchboard.api.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrafficCellTest {
    private static long ms(double ms) {
        return Math.round(ms * 1_000_000);
    }

    @Test
    void aDurationGoesToTheFirstBucketWhoseBoundItDoesNotExceed() {
        assertEquals(0, TrafficCell.bucket(0));
        assertEquals(0, TrafficCell.bucket(ms(1))); // le="0.001" holds exactly 1 ms
        assertEquals(1, TrafficCell.bucket(ms(1) + 1));
        assertEquals(1, TrafficCell.bucket(ms(2.5)));
        assertEquals(3, TrafficCell.bucket(ms(7)));
        assertEquals(9, TrafficCell.bucket(TimeUnit.SECONDS.toNanos(1)));
        assertEquals(12, TrafficCell.bucket(TimeUnit.SECONDS.toNanos(10)));
        assertEquals(13, TrafficCell.bucket(TimeUnit.SECONDS.toNanos(10) + 1)); // +Inf
        assertEquals(13, TrafficCell.bucket(Long.MAX_VALUE));
    }

    @Test
    void statusCodesFallIntoTheirClassAndNoResponseIntoNone() {
        assertEquals("none", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(0)]);
        assertEquals("1xx", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(100)]);
        assertEquals("2xx", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(204)]);
        assertEquals("3xx", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(304)]);
        assertEquals("4xx", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(499)]);
        assertEquals("5xx", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(599)]);
        assertEquals("none", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(600)]);
        assertEquals("none", TrafficCell.STATUS_CLASSES[TrafficCell.statusClass(99)]);
    }

    @Test
    void aCellCountsRequestsDurationsRetriesAndRelays() {
        TrafficCell c = new TrafficCell("web", "app", "a1", "10.0.0.1:80");
        c.request(200, ms(0.5));
        c.request(200, ms(3));
        c.request(502, ms(20));
        c.request(0, -5); // a clock that went back counts as 0
        c.retried();
        c.relayOpened();
        c.relayOpened();
        c.relayClosed();
        assertEquals(2, c.requests(2));
        assertEquals(1, c.requests(5));
        assertEquals(1, c.requests(0));
        assertEquals(2, c.inBucket(0));
        assertEquals(1, c.inBucket(2));
        assertEquals(1, c.inBucket(4));
        assertEquals(ms(0.5) + ms(3) + ms(20), c.durationNanos());
        assertEquals(1, c.retries());
        assertEquals(2, c.relaysOpened());
        assertEquals(1, c.relaysClosed());
    }
}
