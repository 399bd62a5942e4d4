package io.switchboard.systest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/** Back-ends that send back what they get: a TCP echo (one thread a connection) and a UDP echo. */
final class EchoBackends {
    private EchoBackends() {
    }

    /** Echoes each connection's bytes; at the client's end of stream, ends its own side too. */
    static final class Tcp implements AutoCloseable {
        private final ServerSocket server;
        /** Whether each connection begins with this back-end's port and a newline: the client sees where it landed. */
        private final boolean named;

        Tcp() throws IOException {
            this(false);
        }

        Tcp(boolean named) throws IOException {
            this.named = named;
            server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            daemon("tcp-echo-accept", this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    byte[] greeting = named ? (port() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII) : new byte[0];
                    daemon("tcp-echo", () -> echo(s, greeting));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void echo(Socket s, byte[] greeting) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                out.write(greeting);
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
                s.shutdownOutput();
            } catch (IOException e) {
                // the peer went away; the test that drives this connection reports it
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Sends each datagram back to where it came from. */
    static final class Udp implements AutoCloseable {
        private final DatagramSocket socket;
        /** Whether each answer begins with this back-end's port and a colon: the client sees where it landed. */
        private final boolean named;

        Udp() throws SocketException {
            this(false);
        }

        Udp(boolean named) throws SocketException {
            this.named = named;
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            daemon("udp-echo", this::loop);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void loop() {
            byte[] buf = new byte[65_536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    if (named) {
                        byte[] tag = (port() + ":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        byte[] out = java.util.Arrays.copyOf(tag, tag.length + p.getLength());
                        System.arraycopy(p.getData(), 0, out, tag.length, p.getLength());
                        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    } else {
                        socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed, or one datagram lost: the flow check counts what did not come back
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
