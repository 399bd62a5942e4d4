package io.switchboard.webconsole.impl;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ActionGuardTest {
    private final ActionGuard guard = new ActionGuard();

    @Test
    void acceptsThePagesOwnTokenFromTheSameOriginOrWithoutOrigin() {
        assertNull(guard.refusal(guard.token(), "http://127.0.0.1:8090", "http", "127.0.0.1:8090"));
        assertNull(guard.refusal(guard.token(), null, "http", "127.0.0.1:8090"));
    }

    @Test
    void refusesAMissingOrStaleTokenAndAnotherOrigin() {
        assertNotNull(guard.refusal(null, null, "http", "127.0.0.1:8090"));
        assertNotNull(guard.refusal(new ActionGuard().token(), null, "http", "127.0.0.1:8090"));
        assertNotNull(guard.refusal(guard.token(), "http://evil.example", "http", "127.0.0.1:8090"));
        assertNotNull(guard.refusal(guard.token(), "null", "http", "127.0.0.1:8090"));
        assertNotEquals(guard.token(), new ActionGuard().token());
    }
}
