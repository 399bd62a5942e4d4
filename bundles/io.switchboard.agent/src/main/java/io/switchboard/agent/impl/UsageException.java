package io.switchboard.agent.impl;

/** A setting that cannot be used; its message is one line naming the option and the reason. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
