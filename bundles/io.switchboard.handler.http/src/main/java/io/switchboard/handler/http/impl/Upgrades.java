package io.switchboard.handler.http.impl;

import java.util.Locale;

/**
 * What an upgrade request asks for, and whether a back-end's 101 switched to one of those (RFC 9110
 * §7.8): a 101 to anything else, or without an Upgrade field, is not an answer to this request.
 */
final class Upgrades {
    private Upgrades() {
    }

    /**
     * The protocols an HTTP/1.1 request asks to switch to (its Upgrade value), when Connection lists
     * {@code upgrade} as it must; null when it asks for none.
     */
    static String asked(RequestHead r) {
        if (r.http10) {
            return null;
        }
        String upgrade = r.header("upgrade");
        if (upgrade == null || upgrade.isBlank() || !r.lists("connection", "upgrade")) {
            return null;
        }
        return String.join(", ", r.headers("upgrade"));
    }

    /** Why a 101 switching to {@code switchedTo} does not answer a request asking for {@code asked}; null when it does. */
    static String mismatch(String asked, String switchedTo) {
        if (switchedTo == null || switchedTo.isBlank()) {
            return "101 Switching Protocols without an Upgrade field";
        }
        for (String got : switchedTo.split(",")) {
            String name = name(got);
            boolean listed = false;
            for (String want : asked.split(",")) {
                listed |= name.equals(name(want));
            }
            if (!listed) {
                return "101 Switching Protocols to " + got.trim() + ", which the request did not ask for (" + asked + ")";
            }
        }
        return null;
    }

    /** A protocol's name without its version ("websocket", "h2c"), in lower case. */
    private static String name(String protocol) {
        String p = protocol.trim();
        int slash = p.indexOf('/');
        return (slash < 0 ? p : p.substring(0, slash)).trim().toLowerCase(Locale.ROOT);
    }

    /** The first protocol switched to, for the connection table. */
    static String first(String switchedTo) {
        int comma = switchedTo.indexOf(',');
        return name(comma < 0 ? switchedTo : switchedTo.substring(0, comma));
    }
}
