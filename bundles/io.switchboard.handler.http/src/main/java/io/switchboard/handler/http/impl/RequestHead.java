package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A request head as routing and forwarding read it: a flyweight over the head's bytes (request line
 * and header lines, copied once out of the receive buffer) and the offsets of its parts, as the
 * {@link RequestStreamScanner} found them. Names and values are read as ranges of those bytes;
 * strings are made only when asked for (an attribute, the access log). Header values are held
 * without the optional whitespace around them, as every HTTP parser reads them.
 *
 * <p>Requests the scanner does not pass this way (bodies, upgrades, absolute-form targets, HTTP/2
 * streams) come as Netty's decoded request and are turned into one of these ({@link #of}), so
 * routing and forwarding read every request the same way.
 */
final class RequestHead {
    /** The request line and header lines (CRLF-ended), from the method's first byte. */
    final byte[] bytes;
    final int methodEnd;
    final int targetStart;
    final int targetEnd;
    final boolean http10;
    /** Per field: name start, name end, value start, value end (offsets in {@link #bytes}). */
    private final int[] fields;
    final int fieldCount;
    private String method;
    private String target;

    RequestHead(byte[] bytes, int methodEnd, int targetStart, int targetEnd, boolean http10, int[] fields, int fieldCount) {
        this.bytes = bytes;
        this.methodEnd = methodEnd;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.http10 = http10;
        this.fields = fields;
        this.fieldCount = fieldCount;
    }

    /**
     * A head the scanner found whole in {@code buf}: its request line from {@code lineStart}, its end
     * at {@code headEnd}, the field offsets (absolute in the buffer) in {@code scanned}.
     */
    static RequestHead copy(ByteBuf buf, int lineStart, int methodEnd, int targetStart, int targetEnd, boolean http10,
                            int[] scanned, int fieldCount, int headEnd) {
        byte[] b = new byte[headEnd - lineStart];
        buf.getBytes(lineStart, b);
        int[] f = new int[fieldCount * 4];
        for (int i = 0; i < f.length; i++) {
            f[i] = scanned[i] - lineStart;
        }
        return new RequestHead(b, methodEnd - lineStart, targetStart - lineStart, targetEnd - lineStart, http10, f, fieldCount);
    }

    /** The head of a request Netty decoded (a body, an upgrade, a rewritten target, an HTTP/2 stream), written out once. */
    static RequestHead of(HttpRequest r) {
        HttpHeaders headers = r.headers();
        int n = headers.size();
        ByteBuf out = io.netty.buffer.Unpooled.buffer(256);
        try {
            out.writeCharSequence(r.method().name(), StandardCharsets.ISO_8859_1);
            int methodEnd = out.writerIndex();
            out.writeByte(' ');
            int targetStart = out.writerIndex();
            out.writeCharSequence(r.uri(), StandardCharsets.ISO_8859_1);
            int targetEnd = out.writerIndex();
            out.writeByte(' ');
            out.writeCharSequence(r.protocolVersion().text(), StandardCharsets.ISO_8859_1);
            out.writeByte('\r').writeByte('\n');
            int[] f = new int[n * 4];
            int count = 0;
            Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
            while (it.hasNext()) {
                Map.Entry<CharSequence, CharSequence> h = it.next();
                if (count * 4 == f.length) {
                    f = java.util.Arrays.copyOf(f, f.length * 2 + 4);
                }
                f[count * 4] = out.writerIndex();
                out.writeCharSequence(h.getKey(), StandardCharsets.ISO_8859_1);
                f[count * 4 + 1] = out.writerIndex();
                out.writeByte(':').writeByte(' ');
                f[count * 4 + 2] = out.writerIndex();
                out.writeCharSequence(h.getValue(), StandardCharsets.ISO_8859_1);
                f[count * 4 + 3] = out.writerIndex();
                out.writeByte('\r').writeByte('\n');
                count++;
            }
            out.writeByte('\r').writeByte('\n');
            byte[] b = new byte[out.readableBytes()];
            out.getBytes(0, b);
            return new RequestHead(b, methodEnd, targetStart, targetEnd, HttpVersion.HTTP_1_0.equals(r.protocolVersion()), f, count);
        } finally {
            out.release();
        }
    }

    /** The method's name (the common ones without a copy). */
    String method() {
        String m = method;
        if (m == null) {
            m = knownMethod();
            if (m == null) {
                m = new String(bytes, 0, methodEnd, StandardCharsets.ISO_8859_1);
            }
            method = m;
        }
        return m;
    }

    private String knownMethod() {
        for (String k : KNOWN_METHODS) {
            if (k.length() == methodEnd && sameBytes(0, k)) {
                return k;
            }
        }
        return null;
    }

    private static final String[] KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};

    /** Whether the method is {@code name} (methods are case-sensitive). */
    boolean methodIs(String name) {
        return name.length() == methodEnd && sameBytes(0, name);
    }

    /** The request target as sent (origin-form, or as the validator rewrote it). */
    String uri() {
        String t = target;
        if (t == null) {
            t = new String(bytes, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
            target = t;
        }
        return t;
    }

    String protocol() {
        return http10 ? "HTTP/1.0" : "HTTP/1.1";
    }

    int nameStart(int field) {
        return fields[field * 4];
    }

    int nameLength(int field) {
        return fields[field * 4 + 1] - fields[field * 4];
    }

    int valueStart(int field) {
        return fields[field * 4 + 2];
    }

    int valueLength(int field) {
        return fields[field * 4 + 3] - fields[field * 4 + 2];
    }

    /** Whether field {@code field} is named {@code lower} (lower case), ignoring case. */
    boolean named(int field, String lower) {
        return nameLength(field) == lower.length() && HttpSyntax.named(bytes, nameStart(field), lower);
    }

    String value(int field) {
        return new String(bytes, valueStart(field), valueLength(field), StandardCharsets.ISO_8859_1);
    }

    /** The index of the first field named {@code name} (any case), or -1. */
    int find(String name) {
        for (int i = 0; i < fieldCount; i++) {
            if (nameLength(i) == name.length() && sameIgnoringCase(nameStart(i), name)) {
                return i;
            }
        }
        return -1;
    }

    /** The first value of the field {@code name} (any case), or null. */
    String header(String name) {
        int i = find(name);
        return i < 0 ? null : value(i);
    }

    boolean contains(String name) {
        return find(name) >= 0;
    }

    /** Every value of the field {@code name}, in order. */
    List<String> headers(String name) {
        List<String> all = new ArrayList<>(2);
        for (int i = 0; i < fieldCount; i++) {
            if (nameLength(i) == name.length() && sameIgnoringCase(nameStart(i), name)) {
                all.add(value(i));
            }
        }
        return all;
    }

    /** Whether a field named {@code lower} lists {@code token} (comma-separated, ignoring case and whitespace). */
    boolean lists(String lower, String token) {
        for (int i = 0; i < fieldCount; i++) {
            if (named(i, lower) && valueLists(i, token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the value of {@code field} lists {@code token} (lower case), ignoring case. */
    boolean valueLists(int field, String token) {
        int at = valueStart(field);
        int end = at + valueLength(field);
        while (at <= end) {
            int comma = at;
            while (comma < end && bytes[comma] != ',') {
                comma++;
            }
            int s = at;
            int e = comma;
            while (s < e && ows(bytes[s])) {
                s++;
            }
            while (e > s && ows(bytes[e - 1])) {
                e--;
            }
            if (e - s == token.length() && HttpSyntax.named(bytes, s, token)) {
                return true;
            }
            at = comma + 1;
        }
        return false;
    }

    /** Whether some value of {@code lower} is {@code value} as a whole, ignoring case. */
    boolean hasValue(String lower, String value) {
        for (int i = 0; i < fieldCount; i++) {
            if (named(i, lower) && valueLength(i) == value.length() && HttpSyntax.named(bytes, valueStart(i), value)) {
                return true;
            }
        }
        return false;
    }

    /** As Netty's {@code HttpUtil.isKeepAlive}: no {@code close}, and on HTTP/1.0 a {@code keep-alive}. */
    boolean keepAlive() {
        return !lists("connection", "close") && (!http10 || lists("connection", "keep-alive"));
    }

    /** As Netty's {@code HttpUtil.is100ContinueExpected}: HTTP/1.1 with {@code Expect: 100-continue}. */
    boolean expectsContinue() {
        return !http10 && hasValue("expect", "100-continue");
    }

    /** As Netty's {@code HttpUtil.isTransferEncodingChunked}. */
    boolean chunked() {
        return lists("transfer-encoding", "chunked");
    }

    static boolean ows(byte b) {
        return b == ' ' || b == '\t';
    }

    private boolean sameBytes(int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (bytes[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean sameIgnoringCase(int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            int a = bytes[at + i];
            int c = s.charAt(i);
            if (a != c) {
                if (a >= 'A' && a <= 'Z') {
                    a += 32;
                }
                if (c >= 'A' && c <= 'Z') {
                    c += 32;
                }
                if (a != c) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return method() + " " + uri() + " " + protocol();
    }
}
