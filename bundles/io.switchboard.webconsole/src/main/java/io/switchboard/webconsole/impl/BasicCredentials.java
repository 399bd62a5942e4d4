package io.switchboard.webconsole.impl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The user and password of an HTTP Basic {@code Authorization} header. */
record BasicCredentials(String user, String password) {

    /** Null when the header is absent or not Basic credentials. */
    static BasicCredentials parse(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
}
