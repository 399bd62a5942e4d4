package io.switchboard.systest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 with prior knowledge on one connection, from a chosen source address: GET requests as
 * streams one after another, each read to its end, while the connection stays open as long as the
 * test wants (curl and nghttp close it once their requests are done). Headers are sent as HPACK
 * literals; of the response only {@code :status 200} (static table index 8) is recognized.
 */
final class H2cClient implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7;
    private static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextStream = 1;

    H2cClient(InetAddress source, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** A GET of the path on a new stream; returns 200, or -1 for any other status. */
    int get(String path) throws IOException {
        int id = nextStream;
        nextStream += 2;
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        literal(block, ":method", "GET");
        literal(block, ":scheme", "http");
        literal(block, ":path", path);
        literal(block, ":authority", "sb");
        frame(HEADERS, END_STREAM | END_HEADERS, id, block.toByteArray());
        int status = 0;
        while (true) {
            int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (type == SETTINGS && (flags & ACK) == 0) {
                frame(SETTINGS, ACK, 0, new byte[0]);
            } else if (type == PING && (flags & ACK) == 0) {
                frame(PING, ACK, 0, payload);
            } else if (type == GOAWAY) {
                throw new IOException("GOAWAY on stream " + id);
            } else if (stream == id && type == RST_STREAM) {
                throw new IOException("stream " + id + " reset");
            } else if (stream == id && (type == HEADERS || type == DATA)) {
                if (type == HEADERS && status == 0) {
                    status = payload.length > 0 && payload[0] == (byte) 0x88 ? 200 : -1;
                }
                if ((flags & END_STREAM) != 0) {
                    return status;
                }
            }
        }
    }

    /** A literal header field without indexing, new name; short strings, no Huffman. */
    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0);
        for (String s : new String[] {name, value}) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            if (b.length > 126) {
                throw new IllegalArgumentException("too long for this client: " + s);
            }
            block.write(b.length);
            block.write(b, 0, b.length);
        }
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length, (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(head);
        out.write(payload);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
