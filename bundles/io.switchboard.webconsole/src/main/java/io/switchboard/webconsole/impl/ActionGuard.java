package io.switchboard.webconsole.impl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Keeps other sites from making a logged-in browser drain endpoints (CSRF). The browser sends the
 * console's Basic credentials with any request to it, even one a foreign page triggers, so a POST
 * must also carry a token that only the Switchboard page itself has shown (a foreign page cannot
 * read it), and, when the browser says where the request comes from ({@code Origin}), come from the
 * console's own origin. The Web Console has no token of its own for plugins, hence this one. The
 * token is made anew by each activation: a form rendered before an update is refused once.
 */
final class ActionGuard {
    private final String token;

    ActionGuard() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    String token() {
        return token;
    }

    /**
     * Why the action must be refused, or null when it may go ahead.
     *
     * @param presented the token the form sent
     * @param origin the request's Origin header (null when the browser sent none)
     * @param scheme the request's scheme, as the console was reached
     * @param host the request's Host header
     */
    String refusal(String presented, String origin, String scheme, String host) {
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            return "the form has expired (the page was rendered before the console's last restart): reload and try again";
        }
        if (origin != null && !origin.equalsIgnoreCase(scheme + "://" + host)) {
            return "refused: the request came from another site (" + origin + ")";
        }
        return null;
    }
}
