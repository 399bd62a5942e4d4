package io.switchboard.handler.http.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 back-end for large responses: {@code GET /big/N} is answered with N bytes of
 * {@link #pattern}, chunked (16 KiB chunks), so the proxy must dechunk it for HTTP/2; it counts the
 * body bytes it has written, which shows whether the proxy read more than its client could take.
 * {@code GET /whole/N} is answered with a Content-Length, head and body in one write: the proxy
 * finds the whole response waiting and reads it in one batch.
 */
final class BigBackend implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    final AtomicLong written = new AtomicLong();

    BigBackend() throws IOException {
        Thread t = new Thread(this::accept, "big-backend");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    static byte pattern(long i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "big-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = HeadReader.read(in);
                if (head == null) {
                    return;
                }
                String path = head.split(" ")[1];
                if (path.startsWith("/whole/")) {
                    out.write(whole(Integer.parseInt(path.substring("/whole/".length()))));
                    out.flush();
                    continue;
                }
                long n = Long.parseLong(path.substring("/big/".length()));
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[16384];
                for (long at = 0; at < n; ) {
                    int len = (int) Math.min(chunk.length, n - at);
                    for (int i = 0; i < len; i++) {
                        chunk[i] = pattern(at + i);
                    }
                    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk, 0, len);
                    out.write(new byte[] {'\r', '\n'});
                    at += len;
                    written.addAndGet(len);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the proxy went away
        }
    }

    /** {@code GET /whole/N}: head and N body bytes with a Content-Length, in one write (as a server sending a file does). */
    private static byte[] whole(int n) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + n + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] response = new byte[head.length + n];
        System.arraycopy(head, 0, response, 0, head.length);
        for (int i = 0; i < n; i++) {
            response[head.length + i] = pattern(i);
        }
        return response;
    }

    /** Reads a head up to its empty line (a request's, GET only, or a response's); null at the end of the stream. */
    static final class HeadReader {
        static String read(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                b.append((char) c);
                if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                    return b.toString();
                }
            }
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
