package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.runtime.AcceptorSpawner;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.TransportInfo;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Parallel accept on one address, and a spawner that changes it under connection churn without loss. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SpawnerIT extends PlatformTestSupport {

    @Inject
    private AcceptorSpawner spawner;

    @Inject
    private TransportInfo transport;

    @Inject
    private ClusterDirectory clusters;

    @Test
    public void everyLoopAcceptsAndShrinkingUnderChurnLosesNoConnection() throws Exception {
        try (HttpBackend backend = new HttpBackend("b")) {
            configure("io.switchboard.cluster", "churn", "endpoints", "127.0.0.1:" + backend.port());
            configure("io.switchboard.frontend", "churn", "address", "127.0.0.1", "port", 0, "cluster", "churn");
            int port = awaitListening("churn");
            await("cluster churn", () -> clusters.cluster("churn") != null && clusters.cluster("churn").ready());
            spawner.setAcceptors(transport.eventLoops());
            assertEquals("one listening socket per event loop", transport.eventLoops(), frontend("churn").acceptors());
            assertTrue("kernel request migration is on (needs root)", spawner.canShrinkWithoutLoss());

            AtomicInteger ok = new AtomicInteger();
            List<String> failures = new ArrayList<>();
            long deadline = System.nanoTime() + 3_000_000_000L;
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    while (System.nanoTime() < deadline) {
                        try (RawHttpClient c = new RawHttpClient(port)) {
                            if (c.get("/churn").status == 200) {
                                ok.incrementAndGet();
                            }
                        } catch (Exception e) {
                            synchronized (failures) {
                                failures.add(e.toString());
                            }
                        }
                    }
                });
                t.start();
                clients.add(t);
            }
            int changes = 0;
            while (System.nanoTime() < deadline) {
                spawner.setAcceptors(changes % 2 == 0 ? 1 : transport.eventLoops());
                changes++;
                Thread.sleep(100);
            }
            for (Thread t : clients) {
                t.join();
            }
            assertTrue("failures: " + failures, failures.isEmpty());
            assertTrue("connections served: " + ok.get(), ok.get() > 100);
            assertTrue(spawner.decisions().stream().anyMatch(d -> d.contains("shrink") && d.contains("set by the operator")));
        }
    }
}
