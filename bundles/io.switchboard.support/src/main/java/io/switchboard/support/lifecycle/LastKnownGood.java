package io.switchboard.support.lifecycle;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;

/**
 * A dynamic reference that keeps the last service known good: while the service's bundle is being
 * updated the previous service keeps serving, instead of none. The holder passes it on to its own
 * next version too, so that a version that starts while the service is away (both bundles updated
 * close together) does not start empty-handed. The service must be of an API type (the next
 * version loads its own implementation classes, not the API's).
 */
public final class LastKnownGood<T> {
    /** How long a service left for the next version waits for it (after a plain stop, nobody comes). */
    private static final long UNCLAIMED_MILLIS = 30_000;

    private final String key;
    private final AtomicReference<T> service = new AtomicReference<>();

    /** @param key unique to the holder: the hand-over key of the service it passes on */
    public LastKnownGood(String key) {
        this.key = key;
    }

    public T get() {
        return service.get();
    }

    /** A service bound (the dynamic reference's bind method); an unbind changes nothing. */
    public void bind(T s) {
        service.set(s);
    }

    /** At activation: takes the one the previous version left, unless a service is bound already. */
    @SuppressWarnings("unchecked")
    public void takeOver(BundleContext context) {
        Map<String, Object> left = Handover.take(context, key);
        if (left != null) {
            service.compareAndSet(null, (T) left.get("service"));
        }
    }

    /** At deactivation: leaves the service for the next version. */
    public void leave(BundleContext context) {
        T s = service.get();
        if (s != null && !Handover.frameworkStopping(context)) {
            Handover.leave(context, key, Map.of("service", s), UNCLAIMED_MILLIS, () -> { });
        }
    }
}
