package io.switchboard.handler.http.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A real HTTP/1.1 back-end that answers every request with the same body of known length, head and
 * body in one write (as a server sending a file does): the proxy finds whole responses waiting in its
 * socket and reads them in one batch.
 */
final class OneWriteBackend implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    private final byte[] response;

    OneWriteBackend(int size) throws IOException {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        response = new byte[head.length + size];
        System.arraycopy(head, 0, response, 0, head.length);
        for (int i = 0; i < size; i++) {
            response[head.length + i] = pattern(i);
        }
        Thread t = new Thread(this::accept, "one-write-backend");
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
                Thread t = new Thread(() -> serve(s), "one-write-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSendBufferSize(4 << 20);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (BigBackend.HeadReader.read(in) != null) {
                out.write(response);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the proxy went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
