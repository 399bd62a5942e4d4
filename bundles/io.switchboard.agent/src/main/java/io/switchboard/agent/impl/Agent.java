package io.switchboard.agent.impl;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running agent: the sampling thread and the TCP server, started together and closed together.
 * The standalone program and the OSGi component both run exactly this.
 */
final class Agent implements Closeable {
    static final System.Logger LOG = System.getLogger("io.switchboard.agent");

    private final ScheduledExecutorService sampling;
    private final AtomicReference<Thread> samplingThread;
    private final AgentServer server;

    private Agent(ScheduledExecutorService sampling, AtomicReference<Thread> samplingThread, AgentServer server) {
        this.sampling = sampling;
        this.samplingThread = samplingThread;
        this.server = server;
    }

    /**
     * Takes a first sample, binds, and starts sampling every interval.
     *
     * @throws IOException if the listening address cannot be bound; no thread is left running then
     */
    static Agent start(AgentOptions o, Path proc) throws IOException {
        Sampler sampler = new Sampler(new HostProbe(proc), o.servicePort(), trafficSource(o));
        AtomicReference<Sample> latest = new AtomicReference<>(sampler.sample(System.nanoTime(), System.currentTimeMillis()));
        StateFile stateFile = o.stateFile() == null ? null : new StateFile(o.stateFile(), LOG);
        Answers answers = new Answers(latest::get, stateFile, o.maxClients(), o.servicePort(), hostName(proc), version());
        AgentServer server = AgentServer.start(new InetSocketAddress(InetAddress.getByName(o.bind()), o.listen()),
                answers::answer, o.readWindowMillis(), o.writeTimeoutMillis(), 256, LOG);
        AtomicReference<Thread> samplingThread = new AtomicReference<>();
        ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-agent-sampler");
            t.setDaemon(true);
            samplingThread.set(t);
            return t;
        });
        sampling.scheduleWithFixedDelay(() -> {
            // An exception would cancel every later sample: keep the last good one and go on.
            try {
                latest.set(sampler.sample(System.nanoTime(), System.currentTimeMillis()));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "sample failed: " + e, e);
            }
        // The first sample has no CPU figure (utilisation needs two readings): the second comes soon.
        }, Math.min(100, o.intervalMillis()), o.intervalMillis(), TimeUnit.MILLISECONDS);
        return new Agent(sampling, samplingThread, server);
    }

    private static TrafficSource trafficSource(AgentOptions o) {
        if (o.accessLog() != null) {
            return new AccessLogTail(o.accessLog(), new ExecutionTimeField(o.timeRegex(), o.millisPerUnit()));
        }
        if (o.statusUrl() != null) {
            return new StubStatus(o.statusUrl(), Math.min(o.intervalMillis(), 2000));
        }
        return null;
    }

    InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
        sampling.shutdownNow();
        try {
            // A terminated executor's thread may still be on its way out: wait for the thread itself,
            // so that nothing of this agent runs once close returns (a bundle stop or update).
            Thread t = samplingThread.get();
            if (t != null) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The kernel's host name, without a DNS lookup where /proc tells it. */
    static String hostName(Path proc) {
        try {
            String name = Files.readString(proc.resolve("sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the JDK
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The build's version, from a resource Maven filters. */
    static String version() {
        try (InputStream in = Agent.class.getResourceAsStream("agent-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
