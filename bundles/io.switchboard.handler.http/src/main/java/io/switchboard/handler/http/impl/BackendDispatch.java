package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.ExchangeState.AWAITING_RESPONSE;
import static io.switchboard.handler.http.impl.ExchangeState.CONNECTING;
import static io.switchboard.handler.http.impl.ExchangeState.DISPATCHING;
import static io.switchboard.handler.http.impl.ExchangeState.DONE;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.runtime.BackendTls;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.telemetry.TrafficCell;
import io.switchboard.api.transport.BackendPool;
import io.switchboard.support.proxy.ProxyHeader;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where an {@link Exchange}'s request goes: an endpoint of the cluster, chosen within the cluster's
 * retry budget and connection limits, and a connection to it on the client's event loop (an idle
 * pooled one, or a new one); after a connection closed with no response, another attempt where that
 * is safe. It also holds the exchange's {@link ExchangeState}, which both halves move.
 *
 * <p>The superclass of Exchange, not an object of its own, so that an exchange stays one allocation
 * per request.
 *
 * <p>Its fields are not final: a client connection keeps the object of an exchange that ended cleanly
 * for its next request ({@link #reset}); every field is set there again.
 */
abstract class BackendDispatch {
    HttpProxyHandler client;
    RequestHead request;
    /** What the cluster's policy reads of the request: its message, which is never reused. */
    private RequestContext context;
    private String clusterName;
    /** Changed only by {@link #moveTo}. */
    private ExchangeState state = DISPATCHING;
    ClusterSnapshot cluster;
    private Set<String> excluded = Set.of();
    /** The traffic counters of the attempt's endpoint on this loop. */
    final TrafficCell cell() {
        return cell;
    }

    /** The endpoint of the attempt in progress, and its counters. */
    Endpoint endpoint;
    EndpointCounters counters;
    /** Endpoints tried so far (a stale pooled connection does not count). */
    private int attempts;
    /** When the request began ({@link System#nanoTime()}): its duration is counted when it is DONE. */
    private long startNanos;
    /** The traffic counters of the attempt's endpoint on this loop (null before one is chosen). */
    private TrafficCell cell;
    /** The cell of an attempt that failed: it counts a retry once another attempt is on its way. */
    private TrafficCell failedCell;
    /** The status the client got (0: none yet); counted with the duration when the exchange is DONE. */
    int status;

    // Facts beside the state: each holds across several states, so they are flags, not states.
    /** The client has sent the whole request (not a state: a back-end may answer before it has it all). */
    boolean requestComplete;
    /** The request has no body bytes and no trailer: it can be sent again. */
    boolean requestBodiless = true;
    /** The request has gone to a back-end once already. */
    boolean retried;
    /** An endpoint was passed over for its connection limit: when none is left, that is a 503, not a 502. */
    private boolean atLimit;
    /** The pool partition of the cluster's connections: TLS ones apart, by their settings. */
    String partition = HttpProtocol.POOL;
    /** Why the last TLS handshake with an endpoint failed, for the 502; null when none did. */
    private String tlsFailure;
    /** The request waited once for another dispatcher's decision on its client (a client lock). */
    private boolean parked;

    // Timings for the access log, taken only when the request is logged (timed).
    boolean timed;
    /** When the connection of the attempt in progress began to be opened. */
    long connectStartedAt;
    /** Opening the back-end connection (0: a pooled one), -1 until one is attached. */
    long connectNanos = -1;
    /** From the request going out to the response head, -1 until it comes. */
    long responseNanos = -1;

    /**
     * @param routed the cluster's snapshot in the table the request was routed by (null: not routed
     *     by a table, e.g. a handler forwarded it by name; the cluster is then looked up at start)
     */
    BackendDispatch(HttpProxyHandler client, RequestHead request, RequestContext context, String clusterName,
                    ClusterSnapshot routed, boolean timed, long startNanos) {
        reset(client, request, context, clusterName, routed, timed, startNanos);
    }

    /** Every field as a new exchange has it, for this request (the object is new, or a spare of the connection's). */
    final void reset(HttpProxyHandler client, RequestHead request, RequestContext context, String clusterName,
                     ClusterSnapshot routed, boolean timed, long startNanos) {
        this.client = client;
        this.request = request;
        this.context = context;
        this.clusterName = clusterName == null ? "" : clusterName;
        this.state = DISPATCHING;
        this.cluster = routed;
        this.excluded = Set.of();
        this.endpoint = null;
        this.counters = null;
        this.attempts = 0;
        this.startNanos = startNanos;
        this.cell = null;
        this.failedCell = null;
        this.status = 0;
        this.requestComplete = false;
        this.requestBodiless = true;
        this.retried = false;
        this.atLimit = false;
        this.partition = HttpProtocol.POOL;
        this.tlsFailure = null;
        this.parked = false;
        this.timed = timed;
        this.connectStartedAt = 0;
        this.connectNanos = -1;
        this.responseNanos = -1;
    }

    /**
     * Whether nothing but the client connection can still reach this ended exchange, so that it may
     * serve the connection's next request: it went to one endpoint on its first attempt and never
     * waited for a dispatcher (no connect, handshake or decision callback is left to come back to it).
     */
    final boolean reusable() {
        return state == DONE && attempts == 1 && !retried && !parked && requestComplete;
    }

    /** The cluster the request was routed to. */
    final String clusterName() {
        return clusterName;
    }

    /** Endpoints tried after the first. */
    final int retries() {
        return Math.max(0, attempts - 1);
    }

    /** The request goes out on this connection to {@link #endpoint}, which came from the pool or is new. */
    abstract void attach(Channel ch, boolean reused);

    /** The proxy answers the client itself with this error: the exchange is over. */
    abstract void fail(HttpResponseStatus status, String detail);

    final ExchangeState state() {
        return state;
    }

    /**
     * Every change of state goes through here. The first-byte deadline belongs to AWAITING_RESPONSE:
     * set on the way in, cleared on the way out.
     */
    final void moveTo(ExchangeState next) {
        assert state.canMoveTo(next) : state + " -> " + next;
        if (state == AWAITING_RESPONSE) {
            client.responseWatch.clear();
        } else if (next == AWAITING_RESPONSE) {
            client.responseWatch.expectBy(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cluster.firstByteTimeoutMillis()));
        }
        state = next;
        if (next == DONE) {
            count();
        }
    }

    /**
     * Counts the ended request, once (DONE is final): its status class and duration, on the cell of
     * the endpoint it last went to, or of its cluster when it reached none. A few stores into a cell
     * only this loop writes.
     */
    private void count() {
        TrafficCell c = cell != null ? cell : client.meter.cell(clusterName, null);
        c.request(status, System.nanoTime() - startNanos);
    }

    final void start() {
        if (cluster == null) { // not routed by a table (or its table had no such cluster): the one in force now
            ClusterDirectory clusters = client.clusters();
            cluster = clusters == null ? null : clusters.cluster(clusterName);
        }
        if (cluster == null) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no cluster named " + clusterName);
            return;
        }
        BackendTls tls = cluster.tls();
        if (tls != null) {
            partition = HttpProtocol.POOL + "|" + tls;
        }
        client.countSession(cluster, context);
        dispatch();
    }

    private void dispatch() {
        if (!parked && attempts == 0) {
            java.util.concurrent.CompletionStage<?> decision = cluster.pending(context);
            if (decision != null) {
                // A new client that another dispatcher locked: this request is parked (not the loop)
                // until that dispatcher's decision arrives or the lock wait runs out, then resumes here.
                parked = true;
                io.netty.channel.EventLoop loop = client.ctx.channel().eventLoop();
                decision.whenComplete((done, error) -> loop.execute(this::resume));
                return;
            }
        }
        if (attempts > cluster.retries()) {
            fail(HttpResponseStatus.BAD_GATEWAY, "no back-end answered after " + attempts + " attempts"
                    + (tlsFailure == null ? "" : ": " + tlsFailure));
            return;
        }
        Endpoint e = cluster.choose(context, excluded);
        Channel pooled = null;
        BackendPool pool = client.backends();
        // A connection that began with a PROXY header speaks for its client only: never taken from the pool.
        boolean sharable = cluster.sendProxyProtocol() == 0;
        while (e != null && (pooled = sharable ? BackendHandler.takeIdle(pool, partition, e) : null) == null && cluster.maxConnections() > 0
                && pool.openConnections(e) >= cluster.maxConnections()) {
            atLimit = true; // every connection this loop may open to it is busy: another endpoint serves
            exclude(e);
            e = cluster.choose(context, excluded);
        }
        if (e == null && cluster.refusesWithoutPremium(context)) {
            // The configuration promises a refusal when the reserved endpoints are gone, even when
            // this request found that out by trying them.
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no premium endpoint available (premiumFallback = refuse)");
            return;
        }
        if (e == null) {
            fail(excluded.isEmpty() || atLimit ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.BAD_GATEWAY,
                    excluded.isEmpty() ? "no endpoint available"
                            : atLimit ? "every endpoint is at its connection limit"
                            : tlsFailure != null ? "no back-end reachable: " + tlsFailure : "no back-end reachable");
            return;
        }
        if (failedCell != null) {
            failedCell.retried();
            failedCell = null;
        }
        endpoint = e;
        client.flow().endpoint(e); // the connection table shows where this request went
        attempts++;
        counters = cluster.counters(e);
        counters.started();
        cell = client.meter.cell(clusterName, e);
        if (pooled != null) {
            attach(pooled, true);
            return;
        }
        moveTo(CONNECTING);
        if (timed) {
            connectStartedAt = System.nanoTime();
        }
        client.setAutoRead(false); // hold the body in the socket until there is somewhere to send it
        Channel clientChannel = client.ctx.channel();
        Endpoint target = e;
        BackendTls tls = target.isLocal() ? null : cluster.tls(); // a local application is in this process: no TLS
        SslContext context = tls == null ? null : client.backendTls().context(tls);
        String serverName = tls == null ? null : tls.serverName() != null ? tls.serverName() : target.host();
        pool.connect(clientChannel.eventLoop(), target, new BackendInitializer(target, cluster.idleTimeoutMillis(), context, serverName),
                        cluster.connectTimeoutMillis())
                .addListener((ChannelFuture f) -> {
                    SslHandler h = f.isSuccess() ? f.channel().pipeline().get(SslHandler.class) : null;
                    if (h == null) {
                        connected(f, target);
                    } else {
                        // The request goes out once the endpoint proved who it is.
                        h.handshakeFuture().addListener(hf -> handshaken(f, hf.isSuccess() ? null : hf.cause(), target, serverName));
                    }
                });
    }

    private void handshaken(ChannelFuture f, Throwable failure, Endpoint e, String serverName) {
        if (failure == null) {
            connected(f, e);
            return;
        }
        f.channel().close();
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        tlsFailure = "TLS handshake with " + e + " (" + serverName + ") failed: " + root.getMessage();
        if (state == DONE) {
            return;
        }
        counters.finished(false);
        failedCell = cell;
        exclude(e);
        moveTo(DISPATCHING);
        dispatch();
    }

    private void resume() {
        if (state == DISPATCHING) { // else the client left meanwhile
            dispatch();
        }
    }

    private void connected(ChannelFuture f, Endpoint e) {
        if (state == DONE) {
            if (f.isSuccess()) {
                if (cluster.sendProxyProtocol() == 0) {
                    client.backends().release(partition, e, f.channel()); // clean and unused: good for the next request
                } else {
                    f.channel().close();
                }
            }
            return;
        }
        if (f.isSuccess()) {
            int proxyVersion = cluster.sendProxyProtocol();
            if (proxyVersion != 0 && !e.isLocal()) {
                f.channel().write(Unpooled.wrappedBuffer(ProxyHeader.encode(proxyVersion, client.clientAddress(),
                        (InetSocketAddress) client.ctx.channel().localAddress())), f.channel().voidPromise());
            }
            attach(f.channel(), false);
            if (!requestComplete) {
                client.setAutoRead(true);
            }
        } else {
            // Nothing was sent: trying another endpoint is always safe.
            counters.finished(false);
            failedCell = cell;
            exclude(e);
            moveTo(DISPATCHING);
            dispatch();
        }
    }

    private void exclude(Endpoint e) {
        if (excluded.isEmpty()) {
            excluded = new HashSet<>(4);
        }
        excluded.add(e.id());
    }

    /**
     * The connection closed with no response. A bodiless idempotent request can safely be sent
     * again: a stale pooled connection is tried again on the same endpoint, a failed endpoint is left
     * out. False if it cannot be sent again.
     */
    final boolean dispatchAgain(boolean staleConnection) {
        if (!requestComplete || !requestBodiless || !isIdempotent(request)) {
            return false;
        }
        retried = true;
        failedCell = cell;
        if (staleConnection) {
            attempts--;
        } else {
            exclude(endpoint);
        }
        moveTo(DISPATCHING);
        dispatch();
        return true;
    }

    private static boolean isIdempotent(RequestHead r) {
        return r.methodIs("GET") || r.methodIs("HEAD") || r.methodIs("OPTIONS") || r.methodIs("TRACE")
                || r.methodIs("PUT") || r.methodIs("DELETE");
    }
}
