package io.switchboard.api.runtime;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One immutable version of a cluster: its endpoints and its policy's balancer. A request reads the
 * current snapshot once and uses it to the end, so a reconfiguration never changes it half way.
 */
@ProviderType
public interface ClusterSnapshot {
    String name();

    /** Name of the configured balancing policy. */
    String policy();

    /**
     * False while the configured policy is not registered. {@link #choose} then balances with the
     * policy it had before (while its bundle is being updated) or, once that is gone too,
     * round-robin over the healthy endpoints.
     */
    boolean ready();

    List<Endpoint> endpoints();

    /**
     * Chooses an endpoint with the calling thread's balancer; null when none can be chosen. A policy
     * that throws, or returns no endpoint while some are eligible, is overruled: the request is
     * balanced round-robin over the healthy endpoints instead, and counted.
     */
    Endpoint choose(RequestContext request, Set<String> excluded);

    /**
     * Whether the request must wait before {@link #choose}: null to choose now; else a stage that
     * completes when it may (a sticky cluster's new client locked by another dispatcher, whose
     * decision is awaited for a bounded time). The caller parks the request, never its thread.
     *
     * @since 2.4
     */
    default java.util.concurrent.CompletionStage<?> pending(RequestContext request) {
        return null;
    }

    /**
     * A client connection carries this request of a sticky cluster: returns what to run when the
     * connection closes (the dispatcher cluster counts the client's open connections to end its
     * session at the last close, {@code sessionEnd = close}), or null when there is nothing to count.
     *
     * @since 2.4
     */
    default Runnable connectionOpened(RequestContext request) {
        return null;
    }

    EndpointCounters counters(Endpoint endpoint);

    /** Whether passive health has taken the endpoint out for now (failures in a row); it is tried again later. */
    boolean down(Endpoint endpoint);

    /** Requests the cluster balanced round-robin because its policy failed them (threw, or chose nothing). */
    long policyFallbacks();

    /** The latest failure of the cluster's policy, or null. */
    String policyProblem();

    /** Milliseconds to wait for a connection to an endpoint. */
    int connectTimeoutMillis();

    /** Milliseconds from a request sent to the first byte of its response; then 504. */
    int firstByteTimeoutMillis();

    /** Further endpoints an idempotent request may be retried on when one fails before responding. */
    int retries();

    /** Most connections one event loop opens to one endpoint (0: no limit); past it a request goes elsewhere. */
    default int maxConnections() {
        return 0;
    }

    /**
     * Milliseconds a back-end connection may go without a byte: once a response has begun (then the
     * response is cut and the client connection closed), and while it waits in the pool.
     */
    default int idleTimeoutMillis() {
        return 60_000;
    }

    /**
     * The PROXY protocol version each connection to an endpoint starts with, naming the client
     * ({@code sendProxyProtocol}): 1 or 2, or 0 for none. Such a connection serves one client only.
     */
    default int sendProxyProtocol() {
        return 0;
    }

    /** TLS to the endpoints, or null: plain TCP. */
    default BackendTls tls() {
        return null;
    }

    /** Ids of the endpoints reserved for premium requests (empty: none). */
    java.util.Set<String> premium();

    /**
     * Whether the request is a premium one that this cluster serves only from its reserved endpoints
     * ({@code premiumFallback = refuse}): when {@link #choose} finds none of them, the answer is a
     * refusal (503), not a failed back-end (502).
     */
    default boolean refusesWithoutPremium(RequestContext request) {
        return false;
    }

    /** Drain, active health, agent and effective weight of an endpoint; null when not known (an older control bundle). */
    default EndpointStatus status(Endpoint endpoint) {
        return null;
    }
}
