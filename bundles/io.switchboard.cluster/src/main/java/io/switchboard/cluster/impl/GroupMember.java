package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;

/**
 * This dispatcher's membership of the group, on a JGroups channel: sends batches of updates, applies
 * the peers', answers state requests with the whole table, and after a merge sends its whole table
 * so that every side has every entry (the table's merge rule decides each client). A peer that sends
 * a malformed message is not trusted — its updates are dropped and counted — until it sends its
 * whole table (after {@code sb:resync}).
 */
final class GroupMember implements Receiver {
    /** Entries per message when a whole table is sent. */
    static final int FULL_TABLE_CHUNK = 8192;

    private final DispatcherSettings settings;
    private final LocalTable table;
    private final HybridClock clock;
    private final SyncStats stats;
    private final Supplier<String> fingerprint;
    private final Consumer<String> info;
    private final Consumer<String> warn;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private volatile JChannel channel;
    private volatile View view;
    /** The view's members' names, sorted: who may own a client's key. */
    private volatile String[] memberNames = new String[0];
    /** Told of every PUT and LOCK applied from a peer (the table ends or places client locks). */
    private volatile Consumer<Update> applied = u -> { };
    private volatile String refusal;
    private volatile String aloneWhy;
    /** Set by close(): a join still trying gives up. */
    private volatile boolean closed;
    private volatile long batchIds;
    /** Set when a merge or a resync request asks for this table to be sent whole; the sender does it. */
    private final java.util.Queue<Address> fullTableWanted = new java.util.concurrent.ConcurrentLinkedQueue<>();

    GroupMember(DispatcherSettings settings, LocalTable table, HybridClock clock, SyncStats stats, Supplier<String> fingerprint,
                Consumer<String> info, Consumer<String> warn) {
        this.settings = settings;
        this.table = table;
        this.clock = clock;
        this.stats = stats;
        this.fingerprint = fingerprint;
        this.info = info;
        this.warn = warn;
    }

    /**
     * Joins the group and takes the table from its coordinator. Returns null when this dispatcher is
     * synced (or alone), or why it refused the group (then it has left it again).
     *
     * <p>Joining can leave this dispatcher alone although the group lives: when the group's
     * coordinator has died and the survivors have not yet replaced it (a dispatcher killed and
     * started again at once, while the survivors' view still lists its dead self), nobody answers
     * the JOIN and JGroups forms a group of one. Its table would be empty. So while discovery finds
     * live members outside its view, it leaves and joins again, until it is let in and has the
     * group's table, for at most {@code groupWaitSeconds}; so too while its port is still held (by
     * the dispatcher's previous run). After that it stays alone and {@link #aloneWhy()} says why.
     */
    String join() throws Exception {
        long deadline = System.nanoTime() + settings.groupWaitSeconds * 1_000_000_000L;
        boolean toldPort = false;
        boolean toldSeen = false;
        JChannel ch;
        while (true) {
            ch = new JChannel(new ByteArrayInputStream(StackXml.of(settings).getBytes(StandardCharsets.UTF_8)));
            ch.name(settings.node);
            ch.setDiscardOwnMessages(true);
            ch.setReceiver(this);
            channel = ch;
            try {
                ch.connect(settings.group);
            } catch (Exception e) {
                ch.close();
                channel = null;
                if (closed || !portInUse(e) || !local(settings.bindAddress) || System.nanoTime() > deadline) {
                    throw e;
                }
                if (!toldPort) {
                    toldPort = true;
                    info.accept("dispatcher group " + settings.group + ": " + settings.bindAddress.getHostAddress() + ":" + settings.bindPort
                            + " is still in use (by this dispatcher's previous run?); its listeners stay closed while it tries again, for up to "
                            + settings.groupWaitSeconds + " s (groupWaitSeconds)");
                }
                Thread.sleep(100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(200)); // a port is free again at once
                continue;
            }
            if (closed) {
                break;
            }
            if (ch.view().size() > 1) {
                try {
                    ch.getState(null, settings.joinTimeoutMillis);
                    break;
                } catch (Exception e) {
                    // the state's provider left or died meanwhile (or was suspected under load): ask again
                    ch.close();
                    channel = null;
                    if (closed || System.nanoTime() > deadline) {
                        throw e;
                    }
                    info.accept("dispatcher group " + settings.group + ": the group's table did not arrive (" + e.getMessage()
                            + "); its listeners stay closed while it joins again, for up to " + settings.groupWaitSeconds + " s (groupWaitSeconds)");
                    pause();
                    continue;
                }
            }
            List<String> seen = GroupSighting.outsideTheView(ch, settings);
            if (seen.isEmpty()) {
                break; // the first dispatcher of the group: nobody's table to wait for
            }
            if (!toldSeen) {
                toldSeen = true;
                info.accept("dispatcher group " + settings.group + ": discovery finds " + seen + ", but none let this dispatcher in"
                        + " (the group's coordinator has died and is not replaced yet?); its listeners stay closed while it joins again, for up to "
                        + settings.groupWaitSeconds + " s (groupWaitSeconds)");
            }
            if (System.nanoTime() > deadline) {
                aloneWhy = "discovery finds " + seen + " of group " + settings.group + ", but none let this dispatcher in within "
                        + settings.groupWaitSeconds + " s (groupWaitSeconds); it serves alone with " + table.size()
                        + " entries until the views merge, then the tables reconcile";
                break;
            }
            ch.close();
            channel = null;
            pause();
        }
        if (refusal != null) {
            ch.close();
            channel = null;
        }
        return refusal;
    }

    /** Why this dispatcher is alone although its group lives (it gave up waiting to be let in), or null. */
    String aloneWhy() {
        return aloneWhy;
    }

    private static boolean portInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the address is this host's (else binding it fails for good, not until a port is free). */
    private static boolean local(java.net.InetAddress a) {
        try {
            return a.isAnyLocalAddress() || java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    /** Stops a join that is still trying (the component leaves the group). */
    void stopJoining() {
        closed = true;
    }

    /** Between two tries: jittered, so that two dispatchers alone at once do not leave and join in step. */
    private void pause() throws InterruptedException {
        Thread.sleep(300 + java.util.concurrent.ThreadLocalRandom.current().nextInt(700));
    }

    void close() {
        closed = true;
        JChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    boolean connected() {
        JChannel ch = channel;
        return ch != null && ch.isConnected();
    }

    View view() {
        return view;
    }

    /** The channel (tests: to cut the group in two). */
    JChannel channel() {
        return channel;
    }

    java.util.Set<String> memberNames() {
        return java.util.Set.of(memberNames);
    }

    void onApplied(Consumer<Update> listener) {
        applied = listener;
    }

    /**
     * The dispatcher that decides a new client's endpoint: the member with the highest rendezvous
     * score for the client's key. Every member of one view computes the same; null when alone.
     */
    String lockOwner(String key) {
        String[] names = memberNames;
        if (names.length < 2) {
            return null;
        }
        String best = null;
        long bestScore = 0;
        long k = mix(key.hashCode() * 0x9E3779B97F4A7C15L ^ key.length());
        for (String n : names) {
            long score = mix(k ^ mix(n.hashCode()));
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = n;
                bestScore = score;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    Map<String, Peer> peers() {
        return peers;
    }

    String localName() {
        return settings.node;
    }

    /** Broadcasts updates as one message. */
    void broadcast(List<Update> updates) throws Exception {
        send(null, UpdateCodec.Kind.UPDATES, updates);
    }

    private void send(Address to, UpdateCodec.Kind kind, List<Update> updates) throws Exception {
        JChannel ch = channel;
        if (ch == null) {
            return;
        }
        byte[] b = UpdateCodec.encode(kind, ++batchIds, nowMicros(), updates);
        ch.send(new BytesMessage(to, b));
        stats.batchesOut.increment();
        stats.updatesOut.add(updates.size());
    }

    /** Sends the whole table to whoever asked for it since the last call (the sender thread calls this). */
    void sendFullTablesWanted() throws Exception {
        Address to;
        boolean everyone = false;
        List<Address> targets = new ArrayList<>();
        while ((to = fullTableWanted.poll()) != null) {
            if (to == ALL) {
                everyone = true;
            } else {
                targets.add(to);
            }
        }
        if (everyone) {
            sendFullTable(null);
        } else {
            for (Address a : targets) {
                sendFullTable(a);
            }
        }
    }

    private void sendFullTable(Address to) throws Exception {
        List<Update> chunk = new ArrayList<>(FULL_TABLE_CHUNK);
        List<Update> all = new ArrayList<>();
        for (DispatchEntry e : table.snapshot()) {
            all.add(Update.put(e));
        }
        all.addAll(table.removals()); // the merge rule applies to removals too
        for (Update u : all) {
            chunk.add(u);
            if (chunk.size() == FULL_TABLE_CHUNK) {
                send(to, UpdateCodec.Kind.FULL_TABLE, chunk);
                chunk = new ArrayList<>(FULL_TABLE_CHUNK);
            }
        }
        send(to, UpdateCodec.Kind.FULL_TABLE, chunk); // the last, maybe empty: it is what restores trust
    }

    /** The whole table goes to every peer (after the update queue overflowed). */
    void requestFullTableToAll() {
        fullTableWanted.add(ALL);
    }

    boolean fullTableWanted() {
        return !fullTableWanted.isEmpty();
    }

    /** Asks the peer to send its whole table (sb:resync). */
    boolean requestResync(String peerName) throws Exception {
        View v = view;
        if (v == null) {
            return false;
        }
        for (Address a : v.getMembers()) {
            if (a.toString().equals(peerName)) {
                send(a, UpdateCodec.Kind.RESYNC_REQUEST, List.of());
                return true;
            }
        }
        return false;
    }

    /** Sends a raw message as it is (tests: a malformed update from a peer). */
    void sendRaw(byte[] bytes) throws Exception {
        JChannel ch = channel;
        if (ch != null) {
            ch.send(new BytesMessage(null, bytes));
        }
    }

    private static final Address ALL = new org.jgroups.util.UUID(0, 0);

    @Override
    public void receive(Message msg) {
        String from = String.valueOf(msg.getSrc());
        Peer peer = peers.computeIfAbsent(from, Peer::new);
        peer.lastHeardMillis = System.currentTimeMillis();
        UpdateCodec.Batch batch;
        try {
            batch = UpdateCodec.decode(msg.getArray(), msg.getOffset(), msg.getLength(), settings.maxUpdateBytes);
        } catch (UpdateCodec.Malformed m) {
            peer.malformed++;
            if (peer.trusted) {
                peer.distrust = "malformed update: " + m.getMessage();
                peer.trusted = false;
                warn.accept("dispatcher group " + settings.group + ": dropped a malformed update from " + from + " (" + m.getMessage()
                        + "); its updates are ignored until it resyncs (sb:resync " + from + ")");
            }
            // Counted last: whoever reads the count sees the peer already untrusted.
            stats.malformed.increment();
            return;
        }
        stats.batchesIn.increment();
        peer.lastBatchId = batch.id;
        switch (batch.kind) {
            case RESYNC_REQUEST:
                fullTableWanted.add(msg.getSrc());
                return;
            case FULL_TABLE:
                if (!peer.trusted) {
                    peer.trusted = true;
                    peer.distrust = null;
                    info.accept("dispatcher group " + settings.group + ": " + from + " resynced; its updates are applied again");
                }
                break;
            default:
                if (!peer.trusted) {
                    stats.untrustedDropped.add(batch.updates.size());
                    return;
                }
        }
        apply(batch.updates);
        peer.updates += batch.updates.size();
        long now = nowMicros();
        peer.lastLagMicros = now - batch.sentMicros;
        if (batch.kind == UpdateCodec.Kind.UPDATES) {
            // From the entry's creation at the peer to its place in this table (creation is known to the
            // millisecond: a delay is over-stated by up to 1 ms, never under-stated).
            for (Update u : batch.updates) {
                if (u.kind == Update.Kind.PUT) {
                    stats.delay(now - HybridClock.millis(u.entry.created()) * 1000);
                }
            }
        }
    }

    private void apply(List<Update> updates) {
        for (Update u : updates) {
            switch (u.kind) {
                case PUT:
                    clock.witness(u.entry.created());
                    DispatchEntry before = table.get(u.cluster, u.client);
                    if (before == null && table.size() >= settings.maxEntries) {
                        stats.tableFull.increment();
                        break;
                    }
                    if (table.merge(u.entry) && before != null && !before.endpoint().equals(u.entry.endpoint())) {
                        stats.conflicts.increment();
                    }
                    applied.accept(u);
                    break;
                case LOCK:
                case HOLD:
                case RELEASE:
                    clock.witness(u.at);
                    applied.accept(u);
                    break;
                case REMOVE:
                    clock.witness(u.at);
                    if (table.remove(u.cluster, u.client, u.at)) {
                        stats.removed.increment();
                    }
                    break;
                default:
                    DispatchEntry e = table.get(u.cluster, u.client);
                    if (e != null) {
                        e.used(u.at);
                    }
            }
        }
        stats.updatesIn.add(updates.size());
    }

    @Override
    public void viewAccepted(View v) {
        View before = view;
        String[] names = v.getMembers().stream().map(Object::toString).sorted().toArray(String[]::new);
        memberNames = names;
        view = v;
        for (String name : new ArrayList<>(peers.keySet())) {
            if (v.getMembers().stream().noneMatch(a -> a.toString().equals(name))) {
                peers.remove(name); // gone: its entries stay, the endpoints own the sessions
            }
        }
        for (Address a : v.getMembers()) {
            if (!a.toString().equals(settings.node)) {
                peers.computeIfAbsent(a.toString(), Peer::new);
            }
        }
        if (v instanceof MergeView) {
            // Each side of the partition wrote entries the other has not seen: everyone sends its whole
            // table, and the merge rule (last writer wins, then the lower owner) decides every client alike.
            fullTableWanted.add(ALL);
            info.accept("dispatcher group " + settings.group + ": partitions merged into " + v + "; tables are being reconciled");
        } else if (before != null) {
            info.accept("dispatcher group " + settings.group + ": view " + v);
        }
    }

    @Override
    public void getState(OutputStream output) throws Exception {
        DataOutputStream out = new DataOutputStream(output);
        out.writeUTF(fingerprint.get());
        List<Update> all = new ArrayList<>();
        for (DispatchEntry e : table.snapshot()) {
            all.add(Update.put(e));
        }
        all.addAll(table.removals());
        byte[] b = UpdateCodec.encode(UpdateCodec.Kind.FULL_TABLE, 0, nowMicros(), all);
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    @Override
    public void setState(InputStream input) throws Exception {
        DataInputStream in = new DataInputStream(input);
        String theirs = in.readUTF();
        String ours = fingerprint.get();
        if (!theirs.isEmpty() && !ours.isEmpty() && !theirs.equals(ours)) {
            refusal = "the group's endpoint ids differ from this dispatcher's (group: " + theirs + "; here: " + ours
                    + "): endpoint ids must be the same on every dispatcher";
            return;
        }
        int n = in.readInt();
        byte[] b = new byte[n];
        in.readFully(b);
        UpdateCodec.Batch batch = UpdateCodec.decode(b, 0, n, Integer.MAX_VALUE);
        apply(batch.updates);
    }

    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }
}
