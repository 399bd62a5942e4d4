package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AttributeKey;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.tls.TlsBinding;
import io.switchboard.api.tls.TlsTermination;
import io.switchboard.api.transport.DatagramBinding;
import io.switchboard.api.transport.DatagramProtocol;
import io.switchboard.api.transport.DrainEvent;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The frontends, and every change to them: a frontend applied, moved, removed; a protocol service
 * replaced; the shared settings edited; loops added or retired. Each change binds what is new
 * before it lets go of what is old, and drains the connections the old code or settings serve
 * ({@link DrainEvent}); a change that cannot be made (a bad option, a busy port) is reported and
 * what runs keeps running. All changes are serialized here; connections read their frontend's
 * binding once, when they are accepted.
 */
final class FrontendTable {
    /** The channel attribute holding the binding a connection was accepted with. */
    static final AttributeKey<Object> BINDING = AttributeKey.valueOf("switchboard.binding");

    private final Loops loops;
    private final Protocols protocols;
    private final TlsProvider tls;
    private final Drains drains;
    private final FrontendSockets sockets;
    private final Consumer<String> info;
    private final Consumer<String> warn;
    private final Consumer<String> error;
    private final Map<String, Frontend> frontends = new ConcurrentHashMap<>();
    private volatile FrontendSettings settings = FrontendSettings.DEFAULTS;
    /** Loops accepting on each stream frontend; the spawner changes it. */
    private int acceptors;

    FrontendTable(Loops loops, Protocols protocols, TlsProvider tls, Drains drains, FrontendSockets sockets, Consumer<String> info,
                  Consumer<String> warn, Consumer<String> error) {
        this.loops = loops;
        this.protocols = protocols;
        this.tls = tls;
        this.drains = drains;
        this.sockets = sockets;
        this.info = info;
        this.warn = warn;
        this.error = error;
        this.acceptors = loops.size();
    }

    /** A protocol binding for a frontend, or why there is none. */
    private static final class Prepared {
        final Object binding;
        final String servedBy;
        final String problem;
        final boolean waiting;

        Prepared(Object binding, String servedBy, String problem, boolean waiting) {
            this.binding = binding;
            this.servedBy = servedBy;
            this.problem = problem;
            this.waiting = waiting;
        }
    }

    private Prepared prepare(FrontendSpec spec, FrontendSettings with) {
        Protocols.Entry e = protocols.get(spec.protocol());
        if (e == null) {
            return new Prepared(null, null, "protocol '" + spec.protocol() + "' is not installed (installed: "
                    + String.join(", ", protocols.names()) + ")", true);
        }
        FrontendProtocol p = e.protocol;
        ProxyProtocolSettings proxy;
        try {
            proxy = ProxyProtocolSettings.parse(spec.options(), p instanceof StreamProtocol);
        } catch (ConfigProblem x) {
            return new Prepared(null, null, x.getMessage(), false);
        }
        // The PROXY protocol keys are the transport's: the protocol never sees them.
        spec = spec.withOptions(ProxyProtocolSettings.protocolOptions(spec.options()));
        Set<String> known = p.options().keySet();
        TlsTermination t = tls.get();
        Set<String> tlsKeys = t == null ? Set.of() : t.options().keySet();
        for (String key : spec.options().keySet()) {
            if (!known.contains(key) && !tlsKeys.contains(key)) {
                if (t == null && TlsProvider.looksLikeTls(key)) {
                    return new Prepared(null, null, "key '" + key + "': TLS termination (io.switchboard.tls) is not installed", true);
                }
                return new Prepared(null, null, "key '" + key + "': not an option of protocol " + spec.protocol()
                        + " (its options: " + String.join(", ", new TreeSet<>(known))
                        + (tlsKeys.isEmpty() ? "" : "; TLS options: " + String.join(", ", new TreeSet<>(tlsKeys))) + ")", false);
            }
        }
        Set<String> all = new HashSet<>(known);
        all.addAll(tlsKeys);
        Map<String, String> merged = with.merge(spec.options(), all);
        Map<String, String> own = new HashMap<>();
        Map<String, String> tlsOptions = new HashMap<>();
        merged.forEach((k, v) -> {
            if (known.contains(k)) {
                own.put(k, v);
            }
            if (tlsKeys.contains(k)) {
                tlsOptions.put(k, v);
            }
        });
        FrontendSpec effective = spec.withOptions(own);
        Object b;
        try {
            b = p instanceof StreamProtocol ? ((StreamProtocol) p).bind(effective)
                    : p instanceof DatagramProtocol ? ((DatagramProtocol) p).bind(effective) : null;
            if (b == null) {
                return new Prepared(null, null, "protocol '" + spec.protocol() + "' from " + e.bundle
                        + " is neither a stream nor a datagram protocol", false);
            }
        } catch (IllegalArgumentException x) {
            return new Prepared(null, null, String.valueOf(x.getMessage()), false);
        } catch (RuntimeException | LinkageError x) {
            return new Prepared(null, null, "protocol " + spec.protocol() + " from " + e.bundle + " failed: " + x, false);
        }
        if (t == null || !t.enabled(tlsOptions)) {
            return new Prepared(proxied(b, proxy), e.bundle, null, false);
        }
        if (!(b instanceof StreamBinding)) {
            return new Prepared(null, null, "key 'tlsCertificate': TLS is for stream protocols, and " + spec.protocol()
                    + " is a datagram protocol", false);
        }
        try {
            TlsBinding secure = t.bind(spec.withOptions(tlsOptions));
            return new Prepared(proxied(new SecureBinding(secure, (StreamBinding) b), proxy), e.bundle + " + TLS from " + tls.servedBy(), null, false);
        } catch (IllegalArgumentException x) {
            return new Prepared(null, null, String.valueOf(x.getMessage()), false);
        } catch (RuntimeException | LinkageError x) {
            return new Prepared(null, null, "TLS from " + tls.servedBy() + " failed: " + x, false);
        }
    }

    /** The PROXY header comes first on the wire, before a TLS ClientHello: its reader goes outside everything. */
    private Object proxied(Object binding, ProxyProtocolSettings proxy) {
        return proxy == null ? binding : new ProxiedBinding((StreamBinding) binding, proxy, warn);
    }

    /** Whether the frontend's configuration (or the shared defaults) asks for TLS. */
    private boolean secure(FrontendSpec spec) {
        TlsTermination t = tls.get();
        if (t == null) {
            return spec.options().keySet().stream().anyMatch(TlsProvider::looksLikeTls);
        }
        return t.enabled(settings.merge(spec.options(), t.options().keySet()));
    }

    // ---- changes ----

    synchronized void apply(FrontendSpec spec) {
        Frontend existing = frontends.get(spec.name());
        if (existing != null && existing.spec().equals(spec) && existing.listener() != null && existing.error() == null) {
            return; // the same configuration again (a new version of the control bundle reads it anew)
        }
        if (existing != null && existing.spec().source() != null && spec.source() != null
                && !ConfigReader.sameConfiguration(existing.spec().source(), spec.source()) && existing.listener() != null) {
            rejected(spec, "key 'name': frontend " + spec.name() + " is already defined by " + existing.spec().source(), existing);
            return;
        }
        String conflict = portConflict(spec);
        if (conflict != null) {
            rejected(spec, "key 'port': " + conflict, existing);
            return;
        }
        Prepared p = prepare(spec, settings);
        if (p.problem != null && !p.waiting) {
            rejected(spec, p.problem, existing);
            return;
        }
        boolean sameSocket = existing != null && existing.spec().sameSocket(spec) && existing.listener() != null;
        if (p.waiting) {
            if (existing != null) {
                stop(existing, "it now speaks " + spec.protocol());
            }
            Frontend waiting = new Frontend(spec);
            waiting.error("waiting: " + p.problem);
            frontends.put(spec.name(), waiting);
            info.accept("frontend " + spec.name() + " waits: " + p.problem);
            return;
        }
        if (sameSocket) {
            existing.spec(spec);
            rebind(existing, p, "frontend " + spec.name() + " changed");
            warnIfBlindToServices(existing);
            return;
        }
        Frontend f = existing == null ? new Frontend(spec) : existing.moved(spec);
        f.binding(p.binding, p.servedBy);
        // The frontend's own listener may hold the port (another protocol on the same address and port):
        // it is not another process's, and the new sockets bind beside it before it closes.
        boolean ownPort = existing != null && existing.datagrams == null && existing.boundPort() == spec.port()
                && overlap(existing.spec().bindAddress(), spec.bindAddress());
        String why = sockets.open(f, acceptors, settings, !ownPort);
        if (why != null) {
            SecureBinding.retire(p.binding);
            if (existing != null && existing.listener() != null) {
                error.accept("frontend " + spec.name() + " cannot move to " + spec.bindAddress() + ":" + spec.port() + ": "
                        + why + "; it keeps listening on " + existing.spec().bindAddress() + ":" + existing.boundPort());
                existing.error("not moved to " + spec.bindAddress() + ":" + spec.port() + ": " + why);
                return;
            }
            f.error(why);
            frontends.put(spec.name(), f);
            error.accept("frontend " + spec.name() + " cannot listen on " + spec.bindAddress() + ":" + spec.port() + ": " + why
                    + "; other frontends are not affected");
            return;
        }
        frontends.put(spec.name(), f);
        info.accept("frontend " + spec.name() + " listening on " + f.listener().localAddress() + " (" + spec.protocol() + ", "
                + loops.name() + ", " + f.listeners.size() + (f.datagrams != null ? " socket" : " accepting loops") + ") -> "
                + (spec.services().isEmpty() ? "cluster " + spec.cluster() : "services " + spec.services()));
        warnIfBlindToServices(f);
        if (existing != null) {
            stop(existing, "it moved to " + spec.bindAddress() + ":" + f.boundPort());
        }
    }

    /**
     * Only epoll tells a datagram's destination on a wildcard socket (IP_RECVORIGDSTADDR); on io_uring
     * and NIO it is the socket's own address, so no virtual service matches and every datagram is dropped.
     */
    private void warnIfBlindToServices(Frontend f) {
        FrontendSpec spec = f.spec();
        if (f.datagrams != null && !loops.isEpoll() && !spec.services().isEmpty() && isWildcard(spec.bindAddress())) {
            warn.accept("frontend " + spec.name() + ": on " + loops.name() + " a datagram to a wildcard socket does not"
                    + " carry its destination address (only epoll has IP_RECVORIGDSTADDR): datagrams for the virtual"
                    + " services are dropped; bind the frontend to each service's address, or set transport = epoll in io.switchboard.transport.cfg and restart");
        }
    }

    private static boolean isWildcard(String address) {
        try {
            return InetAddress.getByName(address).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private void rejected(FrontendSpec spec, String problem, Frontend existing) {
        String src = spec.source() == null ? "frontend " + spec.name() : spec.source();
        error.accept("config rejected: " + src + ": " + problem
                + (existing == null ? "; frontend " + spec.name() + " not started" : "; frontend " + spec.name() + " keeps its previous configuration"));
        if (existing == null) {
            Frontend failed = new Frontend(spec);
            failed.error(problem);
            frontends.put(spec.name(), failed);
        }
    }

    /** Another frontend that listens, or would, on an overlapping address and the same port. */
    private String portConflict(FrontendSpec spec) {
        if (spec.port() == 0) {
            return null;
        }
        for (Frontend other : frontends.values()) {
            FrontendSpec o = other.spec();
            if (!o.name().equals(spec.name()) && o.port() == spec.port() && overlap(o.bindAddress(), spec.bindAddress())
                    && datagram(o) == datagram(spec)) {
                return "port " + spec.port() + " on " + spec.bindAddress() + " is already used by frontend " + o.name()
                        + (o.source() == null ? "" : " (" + o.source() + ")");
            }
        }
        return null;
    }

    private boolean datagram(FrontendSpec s) {
        Protocols.Entry e = protocols.get(s.protocol());
        return e != null && e.protocol instanceof DatagramProtocol;
    }

    private static boolean overlap(String a, String b) {
        try {
            InetAddress x = InetAddress.getByName(a);
            InetAddress y = InetAddress.getByName(b);
            return x.equals(y) || x.isAnyLocalAddress() || y.isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return a.equals(b);
        }
    }

    /** New connections get the new binding; the ones the old binding serves drain. */
    private void rebind(Frontend f, Prepared p, String reason) {
        Object old = f.binding();
        f.binding(p.binding, p.servedBy);
        f.error(null);
        if (old != p.binding) {
            SecureBinding.retire(old);
        }
        if (f.datagrams != null) {
            f.datagrams.rebind((DatagramBinding) p.binding);
            return;
        }
        List<Channel> served = new ArrayList<>();
        for (Channel ch : f.connections()) {
            if (ch.attr(BINDING).get() != p.binding) {
                served.add(ch);
            }
        }
        if (old != p.binding) {
            drains.start(reason, served, settings.gracePeriodMillis, DrainEvent.DRAIN, true);
        }
    }

    synchronized void remove(String name) {
        Frontend f = frontends.remove(name);
        if (f != null) {
            stop(f, "it was removed");
        }
    }

    /** Closes the frontend's sockets and drains its connections (idle ones close now). */
    private CompletableFuture<Void> stop(Frontend f, String why) {
        String name = f.spec().name();
        SecureBinding.retire(f.binding());
        if (sockets.closeAll(f) > 0) {
            info.accept("frontend " + name + " closed its listener (" + why + "); " + f.connectionCount()
                    + " connections finish within " + settings.gracePeriodMillis / 1000 + " s");
        }
        return drains.start("frontend " + name + ": " + why, f.connections(), settings.gracePeriodMillis, DrainEvent.STOP, false);
    }

    /** The protocol of that name is (newly) served by another service: frontends that speak it take it up. */
    synchronized void protocolChanged(String name) {
        for (Frontend f : new ArrayList<>(frontends.values())) {
            FrontendSpec spec = f.spec();
            if (!spec.protocol().equals(name)) {
                continue;
            }
            Prepared p = prepare(spec, settings);
            if (p.problem != null) {
                if (p.waiting) {
                    continue;
                }
                if (f.listener() == null) {
                    // it was waiting for this protocol, which now refuses its options: it stays down, and says why
                    frontends.remove(spec.name());
                    rejected(spec, p.problem, null);
                } else {
                    error.accept("frontend " + spec.name() + ": protocol " + name + " refuses its configuration: " + p.problem
                            + "; new connections keep the code they had");
                }
                continue;
            }
            if (f.listener() == null) {
                apply(spec); // it was waiting for the protocol: listen now
            } else {
                rebind(f, p, "frontend " + spec.name() + ": protocol " + name + " now from " + p.servedBy);
            }
        }
    }

    /** The protocol's service went away and nothing replaced it: its frontends stop until it is back. */
    synchronized void protocolGone(String name) {
        for (Frontend f : new ArrayList<>(frontends.values())) {
            if (f.spec().protocol().equals(name) && f.listener() != null) {
                stop(f, "its protocol " + name + " is gone");
                Frontend waiting = new Frontend(f.spec());
                waiting.error("waiting: protocol '" + name + "' is not installed");
                frontends.put(f.spec().name(), waiting);
            }
        }
    }

    /** Another TLS termination service is in force (its bundle was updated): frontends that terminate TLS take it up. */
    synchronized void tlsChanged() {
        for (Frontend f : new ArrayList<>(frontends.values())) {
            FrontendSpec spec = f.spec();
            if (!secure(spec)) {
                continue;
            }
            Prepared p = prepare(spec, settings);
            if (p.problem != null) {
                if (p.waiting) {
                    continue;
                }
                if (f.listener() == null) {
                    frontends.remove(spec.name());
                    rejected(spec, p.problem, null);
                } else {
                    error.accept("frontend " + spec.name() + ": TLS from " + tls.servedBy() + " refuses its configuration: "
                            + p.problem + "; new connections keep the TLS they had");
                }
                continue;
            }
            if (f.listener() == null) {
                apply(spec); // it was waiting for TLS: listen now
            } else {
                rebind(f, p, "frontend " + spec.name() + ": TLS now from " + tls.servedBy());
            }
        }
    }

    /** The shared settings changed: applied to every frontend at once, or not at all. */
    synchronized String settings(FrontendSettings next) {
        List<Frontend> changed = new ArrayList<>();
        List<Prepared> prepared = new ArrayList<>();
        for (Frontend f : frontends.values()) {
            if (f.listener() == null) {
                continue;
            }
            Prepared p = prepare(f.spec(), next);
            if (p.problem != null && !p.waiting) {
                prepared.forEach(x -> SecureBinding.retire(x.binding)); // readied for nothing: their file watch stops
                return p.problem + " (for frontend " + f.spec().name() + ")";
            }
            if (!p.waiting) {
                changed.add(f);
                prepared.add(p);
            }
        }
        FrontendSettings before = settings;
        settings = next;
        if (!before.protocolDefaults.equals(next.protocolDefaults)) {
            for (int i = 0; i < changed.size(); i++) {
                rebind(changed.get(i), prepared.get(i), "frontend " + changed.get(i).spec().name() + ": shared settings changed");
            }
        } else {
            prepared.forEach(x -> SecureBinding.retire(x.binding));
        }
        if (next.acceptors != before.acceptors) {
            setAcceptors(next.acceptors == 0 ? loops.size() : next.acceptors);
        }
        if (next.udpIdleSeconds != before.udpIdleSeconds || next.udpMaxFlows != before.udpMaxFlows) {
            for (Frontend f : frontends.values()) {
                if (f.datagrams != null) {
                    f.datagrams.limits(next.udpIdleSeconds, next.udpMaxFlows);
                }
            }
        }
        return null;
    }

    FrontendSettings settings() {
        return settings;
    }

    synchronized int acceptors() {
        return acceptors;
    }

    /** Changes how many loops accept on every stream frontend (the spawner's lever). */
    synchronized void setAcceptors(int n) {
        int target = loops.socketPerLoop() ? Math.max(1, Math.min(n, loops.size())) : 1; // NIO: one socket accepts for all
        if (target == acceptors) {
            return;
        }
        acceptors = target;
        for (Frontend f : frontends.values()) {
            sockets.resize(f, target);
        }
    }

    /** Loops were added: accept on them too when every loop accepts. */
    synchronized void loopsGrown() {
        if (settings.acceptors == 0 && loops.socketPerLoop()) {
            setAcceptors(loops.size());
        }
    }

    /** Loops are retiring: their listeners close, their connections drain; completes when they have. */
    synchronized CompletableFuture<Void> loopsRetired(List<EventLoopGroup> retired) {
        acceptors = Math.min(acceptors, loops.size());
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Frontend f : frontends.values()) {
            sockets.retire(f, retired);
            List<Channel> on = new ArrayList<>();
            for (Channel ch : f.connections()) {
                if (FrontendSockets.on(ch, retired)) {
                    on.add(ch);
                }
            }
            done.add(drains.start("frontend " + f.spec().name() + ": " + retired.size() + " event loops retired", on,
                    settings.gracePeriodMillis, DrainEvent.DRAIN, false)); // a retired loop ends: nothing runs on
        }
        return CompletableFuture.allOf(done.toArray(new CompletableFuture[0]));
    }

    // ---- hand-over and stop ----

    /**
     * Hands the frontends to the next version. Their listeners stop accepting: connections wait in
     * the accept queue (and move to the new listeners when these close) instead of being set up by
     * code that is on its way out.
     */
    synchronized List<Map<String, Object>> leave() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Frontend f : frontends.values()) {
            if (f.datagrams == null) {
                for (Channel l : f.listeners) {
                    l.config().setAutoRead(false);
                }
            }
            out.add(f.leave());
        }
        return out;
    }

    /** Takes the frontends an older transport left: new listeners bind, then the old ones close. */
    @SuppressWarnings("unchecked")
    synchronized void adopt(List<Map<String, Object>> left, FrontendSettings s) {
        settings = s;
        acceptors = s.acceptors == 0 ? loops.size() : Math.min(s.acceptors, loops.size());
        for (Map<String, Object> m : left) {
            Frontend f = Frontend.adopt(m);
            List<Channel> old = (List<Channel>) m.get("listeners");
            Prepared p = prepare(f.spec(), s);
            if (m.get("tls") instanceof TlsBinding) {
                ((TlsBinding) m.get("tls")).close(); // the previous version's: this version watches the files with its own
            }
            frontends.put(f.spec().name(), f);
            if (p.binding == null) {
                f.error(p.problem);
                FrontendSockets.close(old);
                stop(f, p.problem);
                continue;
            }
            f.binding(p.binding, p.servedBy);
            if (f.datagrams != null) {
                f.datagrams.rebind((DatagramBinding) p.binding);
                f.datagrams.limits(s.udpIdleSeconds, s.udpMaxFlows);
            }
            String why = sockets.takeOver(f, old, acceptors);
            if (why != null) {
                error.accept("frontend " + f.spec().name() + ": the new listener cannot bind (" + why + "); the old one keeps accepting");
            }
        }
    }

    /** Closes every listener first, then drains every connection; returns when they closed or the grace period ended. */
    synchronized void stopAll() {
        List<Frontend> all = new ArrayList<>(frontends.values());
        frontends.clear();
        for (Frontend f : all) {
            if (sockets.closeAll(f) > 0) {
                info.accept("frontend " + f.spec().name() + " closed its listener (the platform stops); " + f.connectionCount()
                        + " connections finish within " + settings.gracePeriodMillis / 1000 + " s");
            }
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Frontend f : all) {
            done.add(stop(f, "the platform stops"));
        }
        try {
            CompletableFuture.allOf(done.toArray(new CompletableFuture[0]))
                    .get(settings.gracePeriodMillis + 2000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the deadline closed what was left
        }
    }

    List<FrontendStatus> statuses() {
        List<FrontendStatus> out = new ArrayList<>();
        for (Frontend f : frontends.values()) {
            out.add(f.status());
        }
        out.sort(Comparator.comparing(s -> s.spec().name()));
        return out;
    }

    List<Frontend> all() {
        return new ArrayList<>(frontends.values());
    }
}
