package io.switchboard.support.config;

/** A configuration that cannot be applied: which key, and why. */
public final class ConfigProblem extends Exception {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final String reason;

    public ConfigProblem(String key, String reason) {
        super("key '" + key + "': " + reason);
        this.key = key;
        this.reason = reason;
    }

    public String key() { return key; }
    public String reason() { return reason; }
}
