package io.switchboard.control.impl.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The probes, each one blocking call with a deadline, run on the control side's probe threads:
 * a TCP connect, an HTTP GET judged by its status line, and an agent's one-line answer.
 */
final class Probe {
    private Probe() {
    }

    /** The outcome of one check, with what was seen, for the operator. */
    static final class Result {
        final boolean ok;
        final String detail;

        Result(boolean ok, String detail) {
            this.ok = ok;
            this.detail = detail;
        }
    }

    static Result tcp(InetSocketAddress address, int timeoutMillis) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(address, timeoutMillis);
            return new Result(true, "connected in " + millisSince(start) + " ms");
        } catch (SocketTimeoutException e) {
            return new Result(false, "no connection within " + timeoutMillis + " ms");
        } catch (IOException e) {
            return new Result(false, "connect: " + e.getMessage());
        }
    }

    static Result http(InetSocketAddress address, String hostHeader, String path, HealthSpec.StatusRange expect, int timeoutMillis) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(address, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: switchboard-health-check\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = readLine(s.getInputStream(), 256, deadline(timeoutMillis));
            if (statusLine == null) {
                return new Result(false, "connection closed before a status line");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
                return new Result(false, "not an HTTP status line: " + AgentReport.printable(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                return new Result(false, "not an HTTP status line: " + AgentReport.printable(statusLine));
            }
            boolean ok = expect.accepts(status);
            return new Result(ok, "HTTP " + status + (ok ? "" : " (expected " + expect + ")") + " in " + millisSince(start) + " ms");
        } catch (SocketTimeoutException e) {
            return new Result(false, "no answer within " + timeoutMillis + " ms");
        } catch (IOException e) {
            return new Result(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * One agent answer: the report, or an exception saying why there is none. An agent-check agent
     * is sent nothing (as HAProxy does by default); Switchboard's agent is asked for its JSON report
     * with the line {@code json}.
     */
    static AgentReport agent(InetSocketAddress address, int timeoutMillis, boolean json) throws IOException {
        long deadline = deadline(timeoutMillis);
        try (Socket s = new Socket()) {
            s.connect(address, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            if (json) {
                OutputStream out = s.getOutputStream();
                out.write("json\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            String line = readLine(s.getInputStream(), json ? AgentReport.MAX_JSON : AgentReport.MAX_LINE, deadline);
            if (line == null) {
                throw new IOException("the agent closed the connection before a whole line");
            }
            try {
                return json ? AgentReport.parseJson(line) : AgentReport.parse(line);
            } catch (IllegalArgumentException e) {
                throw new IOException("garbage answer: " + e.getMessage());
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer within " + timeoutMillis + " ms");
        }
    }

    private static long deadline(int timeoutMillis) {
        return System.nanoTime() + timeoutMillis * 1_000_000L;
    }

    /**
     * Reads up to a line feed (dropping a CR before it) within the deadline; null when the peer
     * closed first (a line cut short is no answer). A slow peer that trickles bytes is cut at the
     * deadline, not after each byte's timeout.
     */
    static String readLine(InputStream in, int max, long deadlineNanos) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (System.nanoTime() > deadlineNanos) {
                throw new SocketTimeoutException();
            }
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= max) {
                throw new IOException("line longer than " + max + " bytes");
            }
            line.write(b);
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
