package io.switchboard.webconsole.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ConsolePasswordTest {

    @Test
    void aPasswordOrItsDigestInTheConsolesNotation() {
        ConsolePassword plain = ConsolePassword.of("s3cret");
        assertTrue(plain.matches("s3cret"));
        assertFalse(plain.matches("admin"));
        assertFalse(plain.matches(null));
        ConsolePassword digest = ConsolePassword.of(plain.notation());
        assertTrue(digest.matches("s3cret"));
        // Felix's own default, admin, in the same notation
        assertTrue(ConsolePassword.of("{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=").matches("admin"));
        assertThrows(IllegalArgumentException.class, () -> ConsolePassword.of(""));
        assertThrows(IllegalArgumentException.class, () -> ConsolePassword.of("{sha-256}AAAA"));
    }

    @Test
    void generatedPasswordsAreLongAndDifferent() {
        String a = ConsolePassword.generate();
        assertEquals(24, a.length());
        assertNotEquals(a, ConsolePassword.generate());
    }

    @Test
    void basicCredentials() {
        String header = "Basic " + Base64.getEncoder().encodeToString("admin:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(new BasicCredentials("admin", "pa:ss"), BasicCredentials.parse(header));
        assertNull(BasicCredentials.parse(null));
        assertNull(BasicCredentials.parse("Bearer x"));
        assertNull(BasicCredentials.parse("Basic !!!"));
        assertNull(BasicCredentials.parse("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8))));
    }
}
