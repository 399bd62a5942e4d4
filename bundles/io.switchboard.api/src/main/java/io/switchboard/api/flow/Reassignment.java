package io.switchboard.api.flow;

import java.util.Objects;

/** Where a flow goes next, and for how long. */
public final class Reassignment {
    /** How much of the flow a reassignment covers. */
    public enum Scope {
        /** Every later message of the flow; the handler cannot hand it back. */
        REST_OF_FLOW,
        /** The next N messages, then the flow returns to the default handler. */
        NEXT_MESSAGES,
        /** Every later message until the specialized handler calls {@link Flow#handBack()}. */
        UNTIL_HANDED_BACK
    }

    private final String type;
    private final Scope scope;
    private final int messages;

    private Reassignment(String type, Scope scope, int messages) {
        this.type = Objects.requireNonNull(type, "type");
        this.scope = scope;
        this.messages = messages;
    }

    public static Reassignment restOfFlow(String type) {
        return new Reassignment(type, Scope.REST_OF_FLOW, 0);
    }

    public static Reassignment nextMessages(String type, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        return new Reassignment(type, Scope.NEXT_MESSAGES, n);
    }

    public static Reassignment untilHandedBack(String type) {
        return new Reassignment(type, Scope.UNTIL_HANDED_BACK, 0);
    }

    public String type() { return type; }
    public Scope scope() { return scope; }
    /** For {@link Scope#NEXT_MESSAGES}: how many; else 0. */
    public int messages() { return messages; }

    @Override
    public String toString() {
        return type + (scope == Scope.NEXT_MESSAGES ? " for " + messages + " messages"
                : scope == Scope.REST_OF_FLOW ? " for the rest of the flow" : " until handed back");
    }
}
