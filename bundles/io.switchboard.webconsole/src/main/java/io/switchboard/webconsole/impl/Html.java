package io.switchboard.webconsole.impl;

/**
 * HTML escaping. Every value the page shows comes from configuration files, back-ends (agent
 * answers, health check details) or the operator: none of it may reach the page as markup.
 */
final class Html {
    private Html() {
    }

    /** The text, safe in element content and in quoted attribute values; null gives "". */
    static String escape(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r;
            switch (c) {
                case '&': r = "&amp;"; break;
                case '<': r = "&lt;"; break;
                case '>': r = "&gt;"; break;
                case '"': r = "&quot;"; break;
                case '\'': r = "&#39;"; break;
                default: r = null;
            }
            if (r == null && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (r == null) {
                sb.append(c);
            } else {
                sb.append(r);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
