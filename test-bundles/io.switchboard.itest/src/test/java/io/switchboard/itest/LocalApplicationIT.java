package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.local.LocalApplication;
import io.switchboard.api.local.LocalRequest;
import io.switchboard.api.local.LocalResponse;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;

/**
 * The pseudo-network interface in the real platform: an application registered as a service is a
 * cluster endpoint {@code local:NAME}, reached through an HTTP frontend exactly like a remote one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LocalApplicationIT extends PlatformTestSupport {
    private final BlockingQueue<LocalRequest> seen = new ArrayBlockingQueue<>(64);
    private ServiceRegistration<LocalApplication> registration;

    /** Answers with its path; /boom throws. */
    private final LocalApplication app = request -> {
        seen.offer(request);
        if (request.path().equals("/boom")) {
            throw new IllegalStateException("boom on purpose");
        }
        return LocalResponse.text(200, "local " + request.path());
    };

    @Before
    public void register() {
        listenToLog();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(LocalApplication.NAME, "itapp");
        registration = context.registerService(LocalApplication.class, app, props);
    }

    @After
    public void unregister() {
        if (registration != null) {
            registration.unregister();
        }
        stopListeningToLog();
    }

    @Test
    public void aLocalEndpointIsReachedThroughAnHttpFrontendAndAThrowingRequestFailsAlone() throws Exception {
        configure("io.switchboard.cluster", "loc", "endpoints", "app=local:itapp");
        configure("io.switchboard.frontend", "loc", "address", "127.0.0.1", "port", 0, "cluster", "loc");
        int port = awaitListening("loc");
        await("the cluster to serve", () -> get(port) == 200);
        try (RawHttpClient c = new RawHttpClient(port)) {
            Response ok = c.get("/hello?x=1");
            assertEquals(ok.toString(), 200, ok.status);
            assertEquals("local /hello", ok.body);
            LocalRequest r = seen.poll(5, TimeUnit.SECONDS);
            while (r != null && !r.path().equals("/hello")) {
                r = seen.poll(5, TimeUnit.SECONDS);
            }
            assertEquals("x=1", r.query());
            assertEquals("127.0.0.1", r.header("X-Forwarded-For"));

            Response boom = c.get("/boom");
            assertEquals("a throwing application fails its own request", 500, boom.status);
            assertTrue(boom.body, boom.body.contains("local application itapp failed"));
            Response next = c.get("/after");
            assertEquals("the next request works, on the same client connection", 200, next.status);
            assertEquals("local /after", next.body);
        }
        awaitLog("local application itapp: GET /boom failed: java.lang.IllegalStateException: boom on purpose");
    }

    @Test
    public void aLocalEndpointWithNoApplicationIsLikeADeadBackend() throws Exception {
        configure("io.switchboard.cluster", "nobody", "endpoints", "local:nobody-registered");
        configure("io.switchboard.frontend", "nobody", "address", "127.0.0.1", "port", 0, "cluster", "nobody");
        int port = awaitListening("nobody");
        int status;
        try (RawHttpClient c = new RawHttpClient(port)) {
            status = c.get("/").status;
        }
        assertTrue("502 or 503, not " + status, status == 502 || status == 503);

        // The application registers: the same endpoint answers (passive health may hold it out a while).
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(LocalApplication.NAME, "nobody-registered");
        ServiceRegistration<LocalApplication> late = context.registerService(LocalApplication.class, app, props);
        try {
            await("the late application to answer", () -> get(port) == 200);
        } finally {
            late.unregister();
        }
        await("its endpoint to refuse again once it is gone", () -> {
            int s = get(port);
            return s == 502 || s == 503;
        });
    }

    private static int get(int port) {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get("/").status;
        } catch (Exception e) {
            return -1;
        }
    }
}
