package io.switchboard.support.log;

import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * A component's log through a logger that may be absent (an optional dynamic reference, between
 * two versions of the log service, or outside a framework in a test): then the line goes nowhere.
 */
public final class OptionalLog {
    private final Supplier<Logger> logger;

    public OptionalLog(Supplier<Logger> logger) {
        this.logger = logger;
    }

    public void info(String message) {
        Logger l = logger.get();
        if (l != null) {
            l.info(message);
        }
    }

    public void warn(String message) {
        Logger l = logger.get();
        if (l != null) {
            l.warn(message);
        }
    }

    public void error(String message) {
        Logger l = logger.get();
        if (l != null) {
            l.error(message);
        }
    }
}
