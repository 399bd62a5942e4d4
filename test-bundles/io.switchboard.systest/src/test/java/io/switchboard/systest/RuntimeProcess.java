package io.switchboard.systest;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The exported runtime jar started as a separate process in a working directory of its own. */
final class RuntimeProcess implements AutoCloseable {
    final Path workDir;
    final int demoPort;
    /** The admin page's port: a free one of its own, so runtimes of several test runs never share 8081. */
    final int adminPort;
    private final Process process;
    private final OutputStream stdin;
    final List<String> output = new CopyOnWriteArrayList<>();
    private int commands;

    RuntimeProcess(String... extraJvmArgs) throws IOException {
        this(java.util.Map.of(), extraJvmArgs);
    }

    /** Starts with these files (name to text) in {@code conf/} already. */
    RuntimeProcess(java.util.Map<String, String> confFiles, String... extraJvmArgs) throws IOException {
        this(System.getProperty("sb.runtime.jar"), confFiles, extraJvmArgs);
    }

    /** The web console profile's jar ({@code switchboard-webconsole.jar}) instead of the default runtime's. */
    static RuntimeProcess webConsole(String... extraJvmArgs) throws IOException {
        return new RuntimeProcess(System.getProperty("sb.webconsole.jar"), java.util.Map.of(), extraJvmArgs);
    }

    /**
     * Started inside a network namespace ({@code ip netns exec NS java ...}, which execs java: the
     * process is the runtime itself). Its ports are the namespace's own: {@link #awaitPort} does not
     * reach them, wait for the frontend's log line instead.
     */
    static RuntimeProcess inNamespace(String namespace, java.util.Map<String, String> confFiles, String... extraJvmArgs)
            throws IOException {
        return new RuntimeProcess(io.switchboard.systest.netns.RouterTopology.in(namespace), System.getProperty("sb.runtime.jar"),
                confFiles, extraJvmArgs);
    }

    private RuntimeProcess(String jar, java.util.Map<String, String> confFiles, String... extraJvmArgs) throws IOException {
        this(List.of(), jar, confFiles, extraJvmArgs);
    }

    private RuntimeProcess(List<String> launcher, String jar, java.util.Map<String, String> confFiles, String... extraJvmArgs)
            throws IOException {
        workDir = Files.createTempDirectory("sb-systest");
        Files.createDirectories(workDir.resolve("conf"));
        Files.createDirectories(workDir.resolve("plugins"));
        for (java.util.Map.Entry<String, String> f : confFiles.entrySet()) {
            Files.writeString(workDir.resolve("conf").resolve(f.getKey()), f.getValue());
        }
        demoPort = freePort();
        adminPort = freePort();
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Dswitchboard.demo.port=" + demoPort);
        cmd.add("-Dswitchboard.admin.port=" + adminPort);
        cmd.addAll(List.of(extraJvmArgs));
        cmd.add("-jar");
        cmd.add(new File(jar).getAbsolutePath());
        process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        stdin = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    System.out.println("[runtime] " + line);
                }
            } catch (IOException e) {
                // process ended
            }
        }, "runtime-output");
        reader.setDaemon(true);
        reader.start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port below the kernel's ephemeral range, for a listener a runtime binds long after the
     * test chose it: a port from {@link #freePort()} can meanwhile become the local port of some
     * outgoing connection (the runtimes' own, to each other and to back-ends), and the bind fails.
     */
    static int freeListenPort() throws IOException {
        int low = 32768;
        // Read line by line: procfs files report a size that Files.readString trusts (it returned "3").
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            low = Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            // keep the usual Linux default
        }
        if (low < 12_000) {
            low = 32768; // a range that starts low leaves no room below it: take the usual one
        }
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 200; i++) {
            int port = 10_000 + random.nextInt(Math.max(1, low - 10_000));
            if (!HANDED_OUT.add(port)) {
                continue; // chosen for another runtime of this JVM that may not have bound it yet
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        return freePort();
    }

    /** Waits until something accepts connections on the port; returns the milliseconds it took. */
    long awaitPort(int port, long timeoutMillis) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("runtime exited with " + process.exitValue() + ": " + output);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("port " + port + " not open after " + timeoutMillis + " ms: " + output);
    }

    /** Types a line on the Gogo shell's standard input. */
    void type(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /**
     * Types a shell command and waits until the shell has answered it (an {@code echo} typed after
     * it comes back); returns the output lines in between, prompts taken off. Other output printed
     * meanwhile (log lines) is among them.
     */
    synchronized List<String> command(String line, long timeoutMillis) throws IOException, InterruptedException {
        String token = "command-done-" + (++commands);
        int mark = output.size();
        type(line);
        type("echo " + token);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            for (int i = mark; i < output.size(); i++) {
                if (output.get(i).endsWith(token)) {
                    List<String> answer = new ArrayList<>();
                    for (String l : output.subList(mark, i)) {
                        answer.add(l.startsWith("g! ") ? l.substring(3) : l);
                    }
                    return answer;
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("runtime exited with " + process.exitValue() + " during: " + line);
            }
            Thread.sleep(10);
        }
        System.out.println("[systest] no answer to '" + line + "': the runtime's threads:\n" + threadDump());
        throw new AssertionError("no answer to '" + line + "' within " + timeoutMillis + " ms; output since: "
                + output.subList(mark, output.size()));
    }

    /** A bundle's id, as {@code lb} lists it. */
    long bundleId(String symbolicName) throws Exception {
        for (String line : command("lb -s " + symbolicName, 20_000)) {
            String[] cols = line.split("\\|");
            if (cols.length >= 4 && cols[3].replaceAll(" \\(.*", "").trim().equals(symbolicName)) {
                return Long.parseLong(cols[0].trim());
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Waits until {@code lb} shows the bundle active; fails after 30 s. */
    void awaitActive(String symbolicName) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String state = "";
        while (System.nanoTime() < deadline) {
            state = String.join(" ", command("lb -s " + symbolicName, 20_000));
            if (state.contains("|Active ")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(symbolicName + " not active: " + state);
    }

    /**
     * Felix's own {@code update ID} then {@code refresh ID}, as an operator types them; returns once
     * the bundle is active again. Fails when the shell answers with an error.
     */
    void updateAndRefresh(String symbolicName) throws Exception {
        updateAndRefresh(symbolicName, "");
    }

    /**
     * The same with a URL to update from: {@code switchboard:<symbolic name>} reads any bundle of the
     * runtime jar again, also one without the Bundle-UpdateLocation the Switchboard bundles carry.
     */
    void updateAndRefresh(String symbolicName, String url) throws Exception {
        long id = bundleId(symbolicName);
        List<String> answer = new ArrayList<>(command(("update " + id + " " + url).trim(), 60_000));
        answer.addAll(command("refresh " + id, 60_000));
        if (answer.stream().anyMatch(l -> l.contains("Exception") || l.contains("rror"))) {
            throw new AssertionError("update/refresh " + symbolicName + ": " + answer);
        }
        // refresh returns at once and restarts the bundle in the background (well within a second)
        Thread.sleep(1_000);
        awaitActive(symbolicName);
    }

    /** The runtime's threads and their stacks (jcmd), to see where it hangs. */
    String threadDump() {
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (IOException | InterruptedException e) {
            return "no thread dump: " + e;
        }
    }

    void closeStdin() throws IOException {
        stdin.close();
    }

    /** Waits for an output line that matches, counting only lines after {@code from}. */
    String awaitOutput(int from, Predicate<String> matches, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            for (int i = from; i < output.size(); i++) {
                if (matches.test(output.get(i))) {
                    return output.get(i);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching output line within " + timeoutMillis + " ms; output: " + output);
    }

    String awaitOutput(String fragment) throws InterruptedException {
        return awaitOutput(0, l -> l.contains(fragment), 20_000);
    }

    /**
     * Sends SIGTERM through the process handle: Process.destroy() would also close our end of the
     * output pipe, and what the runtime prints while it shuts down would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    int awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("runtime still running after " + timeoutMillis + " ms");
        }
        return process.exitValue();
    }

    /** Ends the runtime at once (SIGKILL), as a crash would: no shutdown, its connections are reset. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
