package io.switchboard.systest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the TLS tests do with the openssl command line: make throw-away certificates (generated
 * for each run, never committed) and talk to a frontend as a TLS client.
 */
final class TlsTools {
    private static final Pattern SUBJECT = Pattern.compile("(?m)^subject=\\s*(.*)$");

    private TlsTools() {
    }

    /** A self-signed certificate {@code NAME.pem} and its key {@code NAME.key} in the directory, for the host names given (the first is the CN). */
    static void certificate(Path dir, String name, String... hosts) throws Exception {
        certificateOfType(dir, name, "rsa:2048", hosts);
    }

    /** The same with a key type: {@code rsa:2048}, or {@code ec} (P-256). */
    static void certificateOfType(Path dir, String name, String keyType, String... hosts) throws Exception {
        Files.createDirectories(dir);
        Path key = dir.resolve(name + ".key.part");
        Path cert = dir.resolve(name + ".pem.part");
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", keyType));
        if (keyType.equals("ec")) {
            cmd.addAll(List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
        }
        cmd.addAll(List.of("-nodes", "-days", "2", "-keyout", key.toString(), "-out", cert.toString(),
                "-subj", "/CN=" + hosts[0], "-addext", "subjectAltName=DNS:" + String.join(",DNS:", hosts)));
        run(cmd, null);
        // moved in whole: a watcher never sees half a file
        Files.move(key, dir.resolve(name + ".key"), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(cert, dir.resolve(name + ".pem"), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** What {@code openssl s_client} saw: its output, the exit status. */
    record Session(String out, String err, int exit) {
        /** The server certificate's subject as s_client prints it, e.g. {@code CN = a.example}; null when there was none. */
        String subject() {
            Matcher m = SUBJECT.matcher(out);
            return m.find() ? m.group(1).replace(" ", "") : null;
        }

        /**
         * The HTTP response in the output: its head and the Content-Length bytes of body after it
         * (s_client prints its own lines, such as TLS 1.3 session tickets, around what the server sent).
         */
        String response() {
            return TlsTools.response(out);
        }

        boolean handshakeDone() {
            return out.contains("New, TLS") || out.contains("Reused, TLS");
        }
    }

    /**
     * Connects with SNI {@code sni} (null: none), sends the bytes and reads until the server closes;
     * with nothing to send, ends once the handshake is done.
     */
    static Session sClient(int port, String sni, String send, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        if (!send.isEmpty()) {
            cmd.add("-ign_eof");
        }
        if (sni != null) {
            cmd.add("-servername");
            cmd.add(sni);
        } else {
            cmd.add("-noservername");
        }
        cmd.addAll(List.of(options));
        return run(cmd, send);
    }

    static Session run(List<String> cmd, String stdin) throws Exception {
        Path out = Files.createTempFile("sb-openssl", ".out");
        Path err = Files.createTempFile("sb-openssl", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
            }
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not end: " + Files.readString(out) + Files.readString(err));
            }
            return new Session(Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1),
                    p.exitValue());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The first HTTP response in the text: head, and as much body as its Content-Length says. */
    static String response(String text) {
        int i = text.indexOf("HTTP/1.1 ");
        if (i < 0) {
            return null;
        }
        int end = text.indexOf("\r\n\r\n", i);
        if (end < 0) {
            return null;
        }
        String head = text.substring(i, end + 4);
        Matcher m = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return text.substring(i, Math.min(text.length(), end + 4 + length));
    }

    /**
     * A response as a comparable value: the status line, the header fields in order of name
     * (a proxy may reorder them), Date left out, then the body byte for byte.
     */
    static String canonical(String response) {
        if (response == null) {
            return null;
        }
        int end = response.indexOf("\r\n\r\n");
        String[] lines = response.substring(0, end).split("\r\n");
        List<String> fields = new ArrayList<>(List.of(lines).subList(1, lines.length));
        fields.removeIf(f -> f.regionMatches(true, 0, "Date:", 0, 5));
        fields.sort(String.CASE_INSENSITIVE_ORDER);
        return lines[0] + "\r\n" + String.join("\r\n", fields) + "\r\n\r\n" + response.substring(end + 4);
    }

    /** A request that ends its connection, so s_client ends when the response has come. */
    static String get(String host) {
        return "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }

    /** The certificate subject a new handshake gets, polled until it is {@code expected} or 15 s pass; returns the last seen. */
    static String awaitSubject(int port, String sni, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = sClient(port, sni, "").subject();
            if (expected.equals(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        return last;
    }

    static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
