package io.switchboard.handler.http.impl;

import java.util.Locale;

/** The device type a User-Agent tells: bot, mobile or desktop. Cheap substring checks, no regex. */
final class DeviceType {
    private static final String[] BOTS = {"bot", "crawler", "spider", "slurp", "curl/", "wget/", "python-requests", "go-http-client"};
    private static final String[] MOBILES = {"mobile", "android", "iphone", "ipad", "ipod", "windows phone", "opera mini", "blackberry"};

    private DeviceType() {
    }

    static String of(String userAgent) {
        if (userAgent == null || userAgent.isEmpty()) {
            return "bot"; // browsers always send one
        }
        String ua = userAgent.toLowerCase(Locale.ROOT);
        for (String b : BOTS) {
            if (ua.contains(b)) {
                return "bot";
            }
        }
        for (String m : MOBILES) {
            if (ua.contains(m)) {
                return "mobile";
            }
        }
        return "desktop";
    }
}
