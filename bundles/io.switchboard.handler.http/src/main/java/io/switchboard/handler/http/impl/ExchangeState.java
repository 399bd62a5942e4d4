package io.switchboard.handler.http.impl;

/**
 * Where an {@link Exchange} is in its life. How much of the request the client has sent is not part
 * of it: a back-end may answer before it has the whole request, so that is a flag of the exchange.
 *
 * <pre>
 * DISPATCHING ─> CONNECTING ─> FORWARDING ─> AWAITING_RESPONSE ─> STREAMING_RESPONSE ─> DONE
 *      └──── a pooled connection ──^    └──── an early response ──────────^
 * CONNECTING ─> DISPATCHING            the connection could not be opened: another endpoint
 * AWAITING_RESPONSE ─> DISPATCHING     the connection closed with no response: sent again
 * any state ─> DONE                    answered, failed, abandoned, or the client left
 * </pre>
 */
enum ExchangeState {
    /** Looking up the cluster, choosing an endpoint, taking an idle pooled connection to it if there is one. */
    DISPATCHING,
    /** A new connection to the chosen endpoint is being opened; request parts wait. */
    CONNECTING,
    /** The request is going out on a back-end connection; no response yet. */
    FORWARDING,
    /** The whole request is with the back-end: its response must start by the cluster's first-byte deadline. */
    AWAITING_RESPONSE,
    /** The response head went to the client; its body follows (and the rest of the request may still go out). */
    STREAMING_RESPONSE,
    /** Nothing more happens: late events are ignored and late buffers released. */
    DONE;

    /** Whether the exchange may go from this state to {@code next} (checked where assertions are enabled). */
    boolean canMoveTo(ExchangeState next) {
        switch (this) {
            case DISPATCHING:
                return next == CONNECTING || next == FORWARDING || next == DONE;
            case CONNECTING:
                return next == FORWARDING || next == DISPATCHING || next == DONE;
            case FORWARDING:
                return next == AWAITING_RESPONSE || next == STREAMING_RESPONSE || next == DONE;
            case AWAITING_RESPONSE:
                return next == STREAMING_RESPONSE || next == DISPATCHING || next == DONE;
            case STREAMING_RESPONSE:
                return next == DONE;
            default:
                return false;
        }
    }
}
