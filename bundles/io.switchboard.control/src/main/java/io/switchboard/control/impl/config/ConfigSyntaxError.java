package io.switchboard.control.impl.config;

/** A configuration file whose text cannot be read as properties: where (when known) and why. */
public final class ConfigSyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigSyntaxError(String message) {
        super(message);
    }

    static ConfigSyntaxError at(int line, int column, String reason) {
        return new ConfigSyntaxError("line " + line + " column " + column + ": " + reason);
    }
}
