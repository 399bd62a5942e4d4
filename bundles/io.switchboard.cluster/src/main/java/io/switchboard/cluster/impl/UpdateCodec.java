package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of the messages between dispatchers, and its checks. A message is
 * {@code magic, version, kind, sender's batch id, sent-at (wall micros), count, updates}; strings are
 * length-prefixed UTF-8 of at most {@link #MAX_STRING} bytes. A message that breaks any rule is
 * refused whole ({@link Malformed}): nothing of it is applied.
 */
final class UpdateCodec {
    static final int MAGIC = 0x53424454; // "SBDT"
    static final byte VERSION = 1;
    static final int MAX_STRING = 1024;
    static final int MAX_COUNT = 1 << 20;

    enum Kind {
        /** Updates as they happen. */
        UPDATES,
        /** A dispatcher's whole table, answering a resync request or after a merge. */
        FULL_TABLE,
        /** Asks the receiver to send its whole table. */
        RESYNC_REQUEST
    }

    /** A message that does not follow the format. */
    static final class Malformed extends Exception {
        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A decoded message. */
    static final class Batch {
        final Kind kind;
        final long id;
        final long sentMicros;
        final List<Update> updates;

        Batch(Kind kind, long id, long sentMicros, List<Update> updates) {
            this.kind = kind;
            this.id = id;
            this.sentMicros = sentMicros;
            this.updates = updates;
        }
    }

    private UpdateCodec() {
    }

    static byte[] encode(Kind kind, long id, long sentMicros, List<Update> updates) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + updates.size() * 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeByte(kind.ordinal());
            out.writeLong(id);
            out.writeLong(sentMicros);
            out.writeInt(updates.size());
            for (Update u : updates) {
                out.writeByte(u.kind.ordinal());
                string(out, u.cluster);
                string(out, u.client);
                if (u.kind == Update.Kind.PUT) {
                    string(out, u.entry.endpoint());
                    out.writeLong(u.entry.created());
                    string(out, u.entry.owner());
                } else {
                    out.writeLong(u.at);
                    if (u.kind == Update.Kind.LOCK || u.kind == Update.Kind.HOLD || u.kind == Update.Kind.RELEASE) {
                        string(out, u.holder);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    static Batch decode(byte[] buf, int offset, int length, int maxBytes) throws Malformed {
        if (length > maxBytes) {
            throw new Malformed(length + " bytes, over maxUpdateBytes " + maxBytes);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, offset, length));
        try {
            if (in.readInt() != MAGIC) {
                throw new Malformed("not a dispatch table message (bad magic)");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new Malformed("format version " + version + ", this dispatcher reads " + VERSION);
            }
            int k = in.readUnsignedByte();
            if (k >= Kind.values().length) {
                throw new Malformed("unknown message kind " + k);
            }
            long id = in.readLong();
            long sent = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > MAX_COUNT) {
                throw new Malformed("update count " + count + " out of range 0.." + MAX_COUNT);
            }
            List<Update> updates = new ArrayList<>(Math.min(count, 4096));
            for (int i = 0; i < count; i++) {
                int op = in.readUnsignedByte();
                if (op >= Update.Kind.values().length) {
                    throw new Malformed("update " + i + ": unknown operation " + op);
                }
                String cluster = string(in, "cluster", i);
                String client = string(in, "client", i);
                if (op == Update.Kind.PUT.ordinal()) {
                    String endpoint = string(in, "endpoint", i);
                    long created = in.readLong();
                    String owner = string(in, "owner", i);
                    if (created <= 0) {
                        throw new Malformed("update " + i + ": creation time " + created);
                    }
                    updates.add(Update.put(new DispatchEntry(cluster, client, endpoint, created, owner)));
                } else if (op == Update.Kind.REMOVE.ordinal()) {
                    updates.add(Update.remove(cluster, client, in.readLong()));
                } else if (op == Update.Kind.LOCK.ordinal() || op == Update.Kind.HOLD.ordinal() || op == Update.Kind.RELEASE.ordinal()) {
                    long at = in.readLong();
                    if (at <= 0) {
                        throw new Malformed("update " + i + ": time " + at);
                    }
                    String holder = string(in, "holder", i);
                    updates.add(op == Update.Kind.LOCK.ordinal() ? Update.lock(cluster, client, holder, at)
                            : op == Update.Kind.HOLD.ordinal() ? Update.hold(cluster, client, holder, at)
                            : Update.release(cluster, client, holder, at));
                } else {
                    updates.add(Update.touch(cluster, client, in.readLong()));
                }
            }
            if (in.available() > 0) {
                throw new Malformed(in.available() + " bytes after the last update");
            }
            return new Batch(Kind.values()[k], id, sent, updates);
        } catch (EOFException e) {
            throw new Malformed("cut short");
        } catch (IOException e) {
            throw new Malformed("unreadable: " + e);
        }
    }

    private static String string(DataInputStream in, String what, int i) throws IOException, Malformed {
        int n = in.readUnsignedShort();
        if (n == 0 || n > MAX_STRING) {
            throw new Malformed("update " + i + ": " + what + " of " + n + " bytes (1.." + MAX_STRING + ")");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
