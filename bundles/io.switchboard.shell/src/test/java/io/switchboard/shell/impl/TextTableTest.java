package io.switchboard.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void alignsColumnsToTheWidestCell() {
        TextTable t = new TextTable("NAME", "PORT");
        t.row("web", 8080);
        t.row("a-long-name", 1);
        assertEquals("NAME         PORT\nweb          8080\na-long-name  1\n", t.toString());
    }

    @Test
    void formatsUptime() {
        assertEquals("0:01:05", SwitchboardCommands.uptime(Duration.ofSeconds(65)));
        assertEquals("1d 2:00:00", SwitchboardCommands.uptime(Duration.ofHours(26)));
    }
}
