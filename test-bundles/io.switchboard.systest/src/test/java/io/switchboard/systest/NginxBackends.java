package io.switchboard.systest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP back-ends fast enough not to be what limits a load test: one nginx process (started as a
 * child, ended by its PID) serving {@code ok} on several ports (and under {@code /files/} what a test
 * puts in {@link #files()}), and a status port whose request count a test can sample.
 */
final class NginxBackends implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final List<Integer> ports;
    private final int statusPort;
    /** Where the servers listen; with a launcher ({@code ip netns exec NS}), an address in that namespace. */
    private final String host;
    private final List<String> launcher;

    private NginxBackends(Path dir, Process process, List<Integer> ports, int statusPort, String host, List<String> launcher) {
        this.dir = dir;
        this.process = process;
        this.ports = ports;
        this.statusPort = statusPort;
        this.host = host;
        this.launcher = launcher;
    }

    static NginxBackends start(int count) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(RuntimeProcess.freePort());
        }
        return start(ports, false);
    }

    /**
     * Back-ends inside a network namespace, listening on its address {@code host}, ports 8001 and up
     * (the namespace's own ports: no other test shares them). The status is read with curl run there.
     */
    static NginxBackends inNamespace(String namespace, String host, int count) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(8001 + i);
        }
        return inNamespace(namespace, host, ports, 8000);
    }

    /** Back-ends on these ports inside the namespace, the status on {@code statusPort}: one nginx per endpoint counts its own requests. */
    static NginxBackends inNamespace(String namespace, String host, List<Integer> ports, int statusPort) throws Exception {
        return start(ports, false, host, statusPort, io.switchboard.systest.netns.RouterTopology.in(namespace));
    }

    /**
     * One back-end on this port in a single nginx process (no master and worker), so that
     * {@link #kill} ends it at once, as a crash would; started again on the same port, it comes back.
     */
    static NginxBackends single(int port) throws Exception {
        return start(List.of(port), true);
    }

    private static NginxBackends start(List<Integer> ports, boolean singleProcess) throws Exception {
        return start(ports, singleProcess, "127.0.0.1", RuntimeProcess.freePort(), List.of());
    }

    private static NginxBackends start(List<Integer> ports, boolean singleProcess, String host, int statusPort,
                                       List<String> launcher) throws Exception {
        ExternalTools.require("nginx");
        Path dir = Files.createTempDirectory("sb-nginx");
        StringBuilder conf = new StringBuilder()
                .append(singleProcess ? "master_process off; " : "")
                .append("worker_processes 1; daemon off; pid ").append(dir.resolve("nginx.pid")).append(";\n")
                .append("error_log ").append(dir.resolve("error.log")).append(" warn;\n")
                .append("events { worker_connections 4096; }\n")
                .append("http { access_log off; default_type text/plain; keepalive_requests 100000000; keepalive_timeout 300s;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            conf.append("  ").append(temp).append("_temp_path ").append(dir.resolve(temp)).append(";\n");
        }
        for (int p : ports) {
            conf.append("  server { listen ").append(host).append(':').append(p)
                    .append("; location / { add_header X-Be $server_port; return 200 \"ok\\n\"; }")
                    .append(" location /files/ { alias ").append(dir.resolve("files")).append("/; } }\n");
        }
        conf.append("  server { listen ").append(host).append(':').append(statusPort).append("; location / { stub_status; } }\n}\n");
        // nginx's worker may run as another user (nobody, when started by root): it must be able to read the files.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("files"));
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(ExternalTools.find("nginx").getPath(), "-p", dir.toString(), "-c", file.toString(),
                "-e", dir.resolve("error.log").toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        NginxBackends backends = new NginxBackends(dir, p, ports, statusPort, host, launcher);
        backends.awaitUp();
        return backends;
    }

    /** Files every port serves under {@code /files/}. */
    Path files() {
        return dir.resolve("files");
    }

    List<Integer> ports() {
        return ports;
    }

    /** Requests served so far by all ports (the status requests included, one per call). */
    long requests() throws IOException {
        if (!launcher.isEmpty()) {
            return parseStatus(curlInNamespace());
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), statusPort)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return parseStatus(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    private String curlInNamespace() throws IOException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of("curl", "-s", "--max-time", "5", "http://" + host + ":" + statusPort + "/"));
        io.switchboard.systest.netns.Ip.Result r = io.switchboard.systest.netns.Ip.exec(cmd, 10);
        if (!r.ok()) {
            throw new IOException("curl for nginx's status exited with " + r.exit() + ": " + r.output());
        }
        return r.output();
    }

    private static long parseStatus(String text) throws IOException {
        // "server accepts handled requests\n N N N\n"
        String[] lines = text.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("server accepts handled requests")) {
                String[] n = lines[i + 1].trim().split("\\s+");
                return Long.parseLong(n[2]);
            }
        }
        throw new IOException("unexpected nginx status: " + text);
    }

    private void awaitUp() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("stdout.txt")) + Files.readString(dir.resolve("error.log")));
            }
            try {
                requests();
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nginx not answering after 20 s");
    }

    /** Ends the back-end at once (SIGKILL): its connections are reset, its port refuses. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM to the master, which ends its worker
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
