package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The /proc parsers on text taken from real files (shortened). */
class ProcParsingTest {
    // 0x1F90 = 8080, 0xC350 = 50000; states 01 ESTABLISHED, 0A LISTEN, 06 TIME_WAIT
    static final String TCP = ""
            + "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            + "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0\n"
            + "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 20 4 30 10 -1\n"
            + "   2: 0A00000B:1F90 0A000001:D431 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0 20 4 30 10 -1\n"
            + "   3: 0100007F:1F90 0100007F:C351 06 00000000:00000000 03:00000D1F 00000000     0        0 0 3 0\n"
            // the service's own outgoing connection to another 8080: remote port 8080, not counted
            + "   4: 0100007F:C352 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4 1 0 20 4 30 10 -1\n";
    static final String TCP6 = ""
            + "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            + "   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:A000 01 00000000:00000000 00:00000000 00000000  1000        0 5 1 0 20 4 30 10 -1\n"
            + "   1: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0 100 0 0 10 0\n";

    @Test
    void countsEstablishedConnectionsOnTheLocalPortOnly() {
        assertEquals(2, ProcNetTcp.countEstablished(TCP, 8080));
        assertEquals(1, ProcNetTcp.countEstablished(TCP6, 8080));
        assertEquals(0, ProcNetTcp.countEstablished(TCP, 22));
        assertEquals(0, ProcNetTcp.countEstablished("garbage\n\n: x y\n", 8080));
    }

    @Test
    void cpuPercentIsTheBusyShareOfTheTimeBetweenTwoSamples() {
        String before = "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\nintr 1 2\n";
        // +300 user, +100 system, +500 idle, +100 iowait: busy 400 of 1000
        String after = "cpu  400 0 200 1200 200 0 0 0 0 0\n";
        CpuTimes t0 = CpuTimes.parse(before);
        assertEquals(new CpuTimes(800, 1000), t0);
        CpuMeter meter = new CpuMeter();
        assertNull(meter.percentSince(t0), "nothing to compare the first sample with");
        assertEquals(40.0, meter.percentSince(CpuTimes.parse(after)), 1e-9);
        assertNull(meter.percentSince(CpuTimes.parse(after)), "no time passed");
        assertThrows(IllegalArgumentException.class, () -> CpuTimes.parse("intr 1 2\n"));
    }

    @Test
    void memoryInBytesAndAbsentFiguresStayAbsent() {
        Memory m = Memory.parse("MemTotal:       16318440 kB\nMemFree:         1000000 kB\nMemAvailable:   12000000 kB\n");
        assertEquals(16318440L * 1024, m.totalBytes());
        assertEquals(12000000L * 1024, m.availableBytes());
        Memory old = Memory.parse("MemTotal:       1000 kB\nMemFree:         10 kB\n");
        assertEquals(1000L * 1024, old.totalBytes());
        assertNull(old.availableBytes());
    }

    @Test
    void aMissingProcGivesNoFiguresRatherThanZeros(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        HostProbe probe = new HostProbe(empty);
        Sample s = new Sampler(probe, 8080, null).sample(0, 0);
        assertNull(s.clients());
        assertNull(s.cpuPercent());
        assertNull(s.memoryTotalBytes());
        assertNull(s.requestsPerSecond());
    }
}
