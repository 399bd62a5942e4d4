package io.switchboard.support.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SameConfigurationTest {

    @Test
    void aBundlesConfigurationWrittenAsItsFileIsTheSameConfiguration() {
        assertTrue(ConfigReader.sameConfiguration("pid io.switchboard.frontend~demo", "conf/io.switchboard.frontend-demo.cfg"));
        assertTrue(ConfigReader.sameConfiguration("conf/io.switchboard.frontend-demo.json", "pid io.switchboard.frontend~demo"));
        assertTrue(ConfigReader.sameConfiguration("pid io.switchboard.transport", "conf/io.switchboard.transport.cfg"));
        assertTrue(ConfigReader.sameConfiguration("conf/a.cfg", "conf/a.cfg"));
    }

    @Test
    void otherFilesAndPidsAreOtherConfigurations() {
        assertFalse(ConfigReader.sameConfiguration("conf/io.switchboard.frontend-a.cfg", "conf/io.switchboard.frontend-b.cfg"));
        assertFalse(ConfigReader.sameConfiguration("pid io.switchboard.frontend~demo", "conf/io.switchboard.frontend-other.cfg"));
        assertFalse(ConfigReader.sameConfiguration("pid io.switchboard.cluster~demo", "conf/io.switchboard.frontend-demo.cfg"));
        assertFalse(ConfigReader.sameConfiguration(null, "conf/a.cfg"));
        assertFalse(ConfigReader.sameConfiguration(null, null));
    }
}
