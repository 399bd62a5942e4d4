import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N keep-alive HTTP connections to 127.0.0.1:PORT, sends one request on each and reads its
 * response, prints "ready", then holds them idle until its standard input ends.
 * Usage: java bench/IdleClients.java PORT N
 */
public class IdleClients {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        byte[] request = "GET / HTTP/1.1\r\nHost: idle\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>(n);
        byte[] buf = new byte[4096];
        for (int i = 0; i < n; i++) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            if (in.read(buf) <= 0) {
                throw new IllegalStateException("no response on connection " + i);
            }
            sockets.add(s);
        }
        System.out.println("ready " + sockets.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until stdin ends
        }
        for (Socket s : sockets) {
            s.close();
        }
    }
}
