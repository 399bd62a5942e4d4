package io.switchboard.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real HTTP/1.1 server on 127.0.0.1 that answers every request with its own name and the
 * request's path ({@code name path}), keeps connections alive, and counts connections and requests.
 * A request to a path starting with {@code /die-mid-response} gets half a response and a close;
 * one to {@code /slow} is answered after {@link #SLOW_MILLIS}.
 */
public final class HttpBackend implements AutoCloseable {
    public static final long SLOW_MILLIS = 1500;
    private final String name;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-backend");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** When set, every request is read and the connection closed without a response (a dying back-end). */
    private volatile boolean dropRequests;

    /** Every request head received, in order: lets a test see what the proxy sent. */
    public final List<String> heads = new CopyOnWriteArrayList<>();

    public HttpBackend(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public int port() { return server.getLocalPort(); }
    public String name() { return name; }
    public int connections() { return connections.get(); }
    public int requests() { return requests.get(); }

    /** From now on, close each connection on its next request without answering. */
    public void dropRequests(boolean drop) { this.dropRequests = drop; }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true); // head and body are two writes: no Nagle wait for the second
                connections.incrementAndGet();
                open.add(s);
                if (server.isClosed()) {
                    s.close(); // accepted while closing: a closed back-end answers nobody
                    return;
                }
                try {
                    threads.execute(() -> serve(s));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    s.close();
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                heads.add(head);
                String[] lines = head.split("\r\n");
                String path = lines[0].split(" ")[1];
                long length = 0;
                boolean close = false;
                boolean chunked = false;
                for (String l : lines) {
                    String lower = l.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(l.substring(15).trim());
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    } else if (lower.startsWith("expect:") && lower.contains("100-continue")) {
                        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
                if (chunked) {
                    skipChunkedBody(in);
                } else {
                    in.readNBytes((int) length);
                }
                if (dropRequests) {
                    return; // closes the socket: no response at all
                }
                byte[] body = (name + " " + path + "\n").getBytes(StandardCharsets.UTF_8);
                if (path.startsWith("/slow")) {
                    try {
                        Thread.sleep(SLOW_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (path.startsWith("/die-mid-response")) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + (body.length + 1000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    return;
                }
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Served-By: " + name + "\r\nContent-Length: "
                        + body.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (SocketException e) {
            // peer went away
        } catch (IOException e) {
            // peer went away
        } finally {
            open.remove(s);
        }
    }

    private static void skipChunkedBody(InputStream in) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailer fields
                }
                return;
            }
            in.readNBytes(size);
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** Reads up to and including the blank line; null at end of stream. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : (c == '\r' ? 1 : 0);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
