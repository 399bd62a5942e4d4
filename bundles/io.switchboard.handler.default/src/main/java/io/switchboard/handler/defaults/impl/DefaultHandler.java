package io.switchboard.handler.defaults.impl;

// The package is "defaults": "default" is a Java keyword.

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.handler.ClassifierStats;
import io.switchboard.api.handler.RequestClassifier;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import io.switchboard.support.lifecycle.Handover;
import io.switchboard.support.log.Throttled;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Deactivate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The default handler: every message of a flow nobody else owns comes here. The classifiers (OSGi
 * services, by ranking) give it a type; when a handler of that type is registered the flow is
 * reassigned to it until that handler hands it back; else a TCP or UDP flow goes to its protocol's
 * handler for the rest of the flow, and an HTTP request, by itself, to the HTTP handler (or, when
 * none is installed, is served from the frontend's cluster here). A classifier that throws or overruns its budget cannot drop a message: the
 * message takes the default path and the failure is counted.
 */
@Component(configurationPid = "io.switchboard.handler.default",
        service = {FlowHandler.class, ClassifierStats.class},
        property = FlowHandler.TYPE + "=" + FlowHandler.DEFAULT_TYPE)
@Designate(ocd = DefaultHandler.Config.class)
public class DefaultHandler implements FlowHandler, ClassifierStats {
    /** Calls of a new classifier exempt from the time budget. */
    static final int WARM_UP_CALLS = 3;
    static final String PID = "io.switchboard.handler.default";
    /** The configuration's keys, and the component's own service property. */
    static final List<String> KEYS = List.of("classifierBudgetMicros", "restSeconds", FlowHandler.TYPE);

    @ObjectClassDefinition(name = "Switchboard default handler")
    public @interface Config {
        @AttributeDefinition(description = "Microseconds a classifier may take; a slower one is ignored and rests for restSeconds.", min = "1")
        long classifierBudgetMicros() default 2000;

        @AttributeDefinition(description = "Seconds a slow classifier is skipped before it is tried again.", min = "0")
        int restSeconds() default 10;
    }

    /** A classifier and its rest period; the array holding them is replaced, never changed. */
    static final class Classifier {
        final RequestClassifier classifier;
        final String name;
        final int ranking;
        final long serviceId;
        volatile long restUntilNanos;
        /** Calls so far; the first few load classes and run cold, so the budget does not apply to them. */
        volatile int calls;

        Classifier(RequestClassifier classifier, String name, int ranking, long serviceId) {
            this.classifier = classifier;
            this.name = name;
            this.ranking = ranking;
            this.serviceId = serviceId;
        }
    }

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    /** The HTTP protocol handler, when its bundle is installed (the last one known good while it is updated). */
    private volatile FlowHandler http;

    @Reference(target = "(" + FlowHandler.TYPE + "=http)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindHttp(FlowHandler h) {
        http = h;
    }

    void unbindHttp(FlowHandler h) {
        // Kept: requests go on being routed by the rules while the HTTP handler's bundle is updated.
    }

    /** Sets the HTTP handler outside a framework (tests). */
    public void http(FlowHandler h) {
        http = h;
    }

    private volatile Classifier[] classifiers = new Classifier[0];
    private volatile long budgetNanos = 2_000_000;
    private volatile long restNanos = 10_000_000_000L;
    private LongAdder classified = new LongAdder();
    private LongAdder failures = new LongAdder();
    private LongAdder slow = new LongAdder();
    private final Throttled failureLog = new Throttled(10, TimeUnit.SECONDS);
    private BundleContext context;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        Map<String, Object> left = Handover.take(context, PID);
        if (left != null) {
            classified = (LongAdder) left.get("classified");
            failures = (LongAdder) left.get("failures");
            slow = (LongAdder) left.get("slow");
            if (http == null) {
                http = (FlowHandler) left.get("http"); // the HTTP handler's bundle is away too: the one known good
            }
        }
        configure(config);
    }

    @Modified
    void configure(Map<String, Object> config) {
        ConfigReader r = new ConfigReader(config, KEYS);
        try {
            r.rejectUnknownKeys();
            long budget = r.longValue("classifierBudgetMicros", 2000L, 1, 10_000_000);
            long rest = r.integer("restSeconds", 10, 0, 86_400);
            budgetNanos = budget * 1000;
            restNanos = rest * 1_000_000_000L;
        } catch (ConfigProblem p) {
            warn(r.rejected(p, "the default handler keeps its settings"));
        }
    }

    @Deactivate
    void deactivate() {
        if (context != null && !Handover.frameworkStopping(context)) {
            Map<String, Object> state = new HashMap<>();
            state.put("classified", classified);
            state.put("failures", failures);
            state.put("slow", slow);
            if (http != null) {
                state.put("http", http);
            }
            Handover.leave(context, PID, state);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addClassifier(RequestClassifier c, Map<String, Object> props) {
        Object r = props.get(Constants.SERVICE_RANKING);
        long id = ((Number) props.get(Constants.SERVICE_ID)).longValue();
        Object name = props.getOrDefault("component.name", c.getClass().getName());
        List<Classifier> list = new ArrayList<>(List.of(classifiers));
        list.add(new Classifier(c, name.toString(), r instanceof Integer ? (Integer) r : 0, id));
        list.sort(Comparator.comparingInt((Classifier x) -> -x.ranking).thenComparingLong(x -> x.serviceId));
        classifiers = list.toArray(new Classifier[0]);
    }

    synchronized void removeClassifier(RequestClassifier c) {
        List<Classifier> list = new ArrayList<>(List.of(classifiers));
        list.removeIf(x -> x.classifier == c);
        classifiers = list.toArray(new Classifier[0]);
    }

    @Override
    public void handle(Flow flow, Message message) throws Exception {
        String type = classify(flow, message);
        if (type != null && !DEFAULT_TYPE.equals(type) && flow.reassign(Reassignment.untilHandedBack(type))) {
            return; // the switch passes this message on to the new owner
        }
        // A stream or datagram flow nobody classified goes, whole, to its protocol's handler when one
        // is registered (handler types "tcp", "udp").
        boolean http = "http".equals(flow.protocol());
        if (!http && flow.reassign(Reassignment.restOfFlow(flow.protocol()))) {
            return;
        }
        // An HTTP request goes to the "http" handler one at a time: the connection stays with the
        // default handler, so any later request on it can still be classified and reassigned, and no
        // reassignment record is written per request.
        FlowHandler h = this.http;
        if (http && h != null) {
            h.handle(flow, message);
            return;
        }
        message.forward(flow.cluster());
    }

    /** The first type a classifier gives, or null; never throws. */
    String classify(Flow flow, Message message) {
        Classifier[] cs = classifiers;
        if (cs.length == 0) {
            return null;
        }
        classified.increment();
        for (Classifier c : cs) {
            long start = System.nanoTime();
            if (c.restUntilNanos - start > 0) {
                continue;
            }
            String type;
            try {
                type = c.classifier.classify(flow, message);
            } catch (RuntimeException | LinkageError e) {
                failures.increment();
                failureLog.occurred(this::warn, "classifier " + c.name + " failed: " + e);
                return null; // default path
            }
            long took = System.nanoTime() - start;
            if (c.calls < WARM_UP_CALLS) {
                c.calls++;
            } else if (took > budgetNanos) {
                slow.increment();
                c.restUntilNanos = System.nanoTime() + restNanos;
                warn("classifier " + c.name + " took " + took / 1000 + " µs (budget " + budgetNanos / 1000
                        + " µs): answer ignored, skipped for " + restNanos / 1_000_000_000L + " s");
                return null;
            }
            if (type != null) {
                return type;
            }
        }
        return null;
    }

    private void warn(String msg) {
        Logger l = log;
        if (l != null) {
            l.warn(msg);
        }
    }

    @Override
    public List<String> classifiers() {
        List<String> names = new ArrayList<>();
        for (Classifier c : classifiers) {
            names.add(c.name + (c.ranking != 0 ? " (ranking " + c.ranking + ")" : ""));
        }
        return names;
    }

    @Override public long classified() { return classified.sum(); }
    @Override public long failures() { return failures.sum(); }
    @Override public long slow() { return slow.sum(); }
}
