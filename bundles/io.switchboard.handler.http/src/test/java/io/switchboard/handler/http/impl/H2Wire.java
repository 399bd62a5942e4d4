package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw HTTP/2 client over one socket: writes exactly the frames a test asks for (valid or not) and
 * reads frames as the server sends them. HPACK is Netty's encoder and decoder, used offline.
 */
final class H2Wire implements AutoCloseable {
    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4;
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as read. */
    static final class Frame {
        final int type, flags, stream;
        final byte[] payload;

        Frame(int type, int flags, int stream, byte[] payload) {
            this.type = type;
            this.flags = flags;
            this.stream = stream;
            this.payload = payload;
        }

        boolean has(int flag) { return (flags & flag) != 0; }

        /** The error code of a RST_STREAM or GOAWAY. */
        long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
        }

        @Override public String toString() { return "frame type " + type + " flags " + flags + " stream " + stream + " length " + payload.length; }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1 << 20);

    H2Wire(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer the socket's receive buffer (0: the system's) */
    H2Wire(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout(10_000);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
        out = socket.getOutputStream();
    }

    /** The preface and an empty SETTINGS frame (or one setting: initial window size when window >= 0). */
    H2Wire start(int window) throws IOException {
        out.write(PREFACE);
        if (window >= 0) {
            byte[] s = new byte[6];
            s[1] = 4; // SETTINGS_INITIAL_WINDOW_SIZE
            s[2] = (byte) (window >>> 24); s[3] = (byte) (window >>> 16); s[4] = (byte) (window >>> 8); s[5] = (byte) window;
            frame(SETTINGS, 0, 0, s);
        } else {
            frame(SETTINGS, 0, 0, new byte[0]);
        }
        return this;
    }

    H2Wire start() throws IOException {
        return start(-1);
    }

    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(frameBytes(type, flags, stream, payload));
        out.flush();
    }

    static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16); f[1] = (byte) (payload.length >>> 8); f[2] = (byte) payload.length;
        f[3] = (byte) type; f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24); f[6] = (byte) (stream >>> 16); f[7] = (byte) (stream >>> 8); f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** A request header block, HPACK-encoded by this connection's encoder. */
    byte[] block(Http2Headers headers) throws Http2Exception {
        ByteBuf b = Unpooled.buffer();
        encoder.encodeHeaders(1, headers, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("http").authority("example").path(path);
    }

    /** A whole request without body on one stream. */
    void request(int stream, Http2Headers headers) throws IOException, Http2Exception {
        frame(HEADERS, END_HEADERS | END_STREAM, stream, block(headers));
    }

    void windowUpdate(int stream, int increment) throws IOException {
        frame(WINDOW_UPDATE, 0, stream, new byte[] {(byte) (increment >>> 24), (byte) (increment >>> 16), (byte) (increment >>> 8), (byte) increment});
    }

    /** The next frame; null at the end of the stream. */
    Frame read() throws IOException {
        try {
            int len = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[len];
            in.readFully(payload);
            return new Frame(type, flags, stream, payload);
        } catch (EOFException | java.net.SocketException e) {
            return null; // closed (or reset) by the server
        }
    }

    /** Reads until a frame of this type (acknowledging SETTINGS as a client must); null if the connection ended first. */
    Frame until(int type) throws IOException {
        Frame f;
        while ((f = read()) != null) {
            if (f.type == SETTINGS && !f.has(ACK)) {
                frame(SETTINGS, ACK, 0, new byte[0]);
            }
            if (f.type == type) {
                return f;
            }
        }
        return null;
    }

    /** Reads to the end of the connection; the GOAWAY seen on the way (null: none). */
    Frame goAwayBeforeClose() throws IOException {
        Frame goAway = null;
        Frame f;
        long frames = 0;
        try {
            while ((f = read()) != null) {
                frames++;
                if (f.type == GOAWAY) {
                    goAway = f;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open after " + frames + " frames, GOAWAY " + (goAway == null ? "none" : goAway.errorCode()), e);
        }
        return goAway;
    }

    Http2Headers decode(Frame headers) throws Http2Exception {
        return decoder.decodeHeaders(headers.stream, Unpooled.wrappedBuffer(headers.payload));
    }

    /** A response read whole: its headers and its body; reads frames of other streams too (kept aside). */
    static final class Response {
        Http2Headers headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended;
        long resetCode = -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
