package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    @TempDir
    Path dir;

    @Test
    void overridesWhileItExistsAndIsReadAgainWhenItChanges() throws Exception {
        Path file = dir.resolve("agent.state");
        RecordingLogger log = new RecordingLogger();
        StateFile state = new StateFile(file, log);
        assertNull(state.current(), "no file, no override");

        write(file, "40% drain\n");
        assertEquals(new AgentTokens(40, null, AgentState.DRAIN), state.current());

        write(file, "maint");
        assertEquals(new AgentTokens(null, null, AgentState.MAINT), state.current());

        Files.delete(file);
        assertNull(state.current());
        assertTrue(log.messages.isEmpty(), log.messages.toString());
    }

    @Test
    void aMalformedFileIsIgnoredWithOneWarning() throws Exception {
        Path file = dir.resolve("agent.state");
        RecordingLogger log = new RecordingLogger();
        StateFile state = new StateFile(file, log);
        write(file, "half-drained please");
        assertNull(state.current());
        assertNull(state.current());
        assertEquals(1, log.messages.size(), log.messages.toString());
        assertTrue(log.messages.get(0).contains("half-drained"), log.messages.get(0));

        write(file, "25%\ndrain\n");
        assertNull(state.current(), "two lines");
        write(file, "25%");
        assertEquals(new AgentTokens(25, null, null), state.current(), "a fixed file applies again");
    }

    /** As an operator's tool would: a new file renamed over the old one (a new inode every time). */
    private void write(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "state", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
