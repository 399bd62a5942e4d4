package io.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A raw HTTP/1.1 client over one socket: sends exactly the bytes it is given and reads responses
 * framed by Content-Length, so tests see what the proxy really puts on the wire.
 */
public final class RawHttpClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** One response: status code, head (lower-case header names kept as sent) and body. */
    public static final class Response {
        public final int status;
        public final String head;
        public final String body;

        Response(int status, String head, String body) {
            this.status = status;
            this.head = head;
            this.body = body;
        }

        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return status + " " + body.trim();
        }
    }

    public RawHttpClient send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** The bytes of a plain GET request. */
    public static String getRequest(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    /** Sends a GET and reads its response. */
    public Response get(String path) throws IOException {
        send(getRequest(path));
        return read();
    }

    /** Reads one response; null when the connection ends before a response head. */
    public Response read() throws IOException {
        String head = HttpBackend.readHead(in);
        if (head == null) {
            return null;
        }
        int status = Integer.parseInt(head.substring(9, 12));
        long length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new IOException("truncated body: " + body.length + " of " + length + " bytes");
        }
        return new Response(status, head, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads a response head only: for responses without a body whatever their Content-Length says (HEAD, 304). */
    public Response readHeadOnly() throws IOException {
        String head = HttpBackend.readHead(in);
        return head == null ? null : new Response(Integer.parseInt(head.substring(9, 12)), head, "");
    }

    /** True when the server closed the connection (read returns end of stream within the timeout). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
