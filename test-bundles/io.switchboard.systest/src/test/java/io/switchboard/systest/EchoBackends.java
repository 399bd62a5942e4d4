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

        Tcp() throws IOException {
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
                    daemon("tcp-echo", () -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void echo(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
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

        Udp() throws SocketException {
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
                    socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
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
