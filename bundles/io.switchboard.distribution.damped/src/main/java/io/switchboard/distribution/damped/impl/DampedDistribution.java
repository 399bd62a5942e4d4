package io.switchboard.distribution.damped.impl;

import io.switchboard.api.distribution.LoadDistribution;
import io.switchboard.api.distribution.LoadReport;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The load distribution Switchboard ships: each endpoint's target capacity comes from its agent's
 * report, and the factor moves only part of the way towards it each round, so that one slow or odd
 * sample does not swing traffic. Stateless: the previous factors come back with each call.
 *
 * <p>Target, in percent: the capacity the agent stated; else {@code 100 - cpu %}; else 100. When
 * at least two endpoints report their service's average execution time, one slower than the median
 * gets its target scaled by median / its own (not below a tenth): a host that is idle but answers
 * slowly gets less. Factor: {@code previous + damping * (target - previous)}, starting from 100 (the
 * configured weight), rounded towards the target, never 0 while the target is above 0.
 */
@Component(configurationPid = DampedDistribution.PID, property = LoadDistribution.NAME + "=damped")
@Designate(ocd = DampedDistribution.Config.class)
public class DampedDistribution implements LoadDistribution {
    static final String PID = "io.switchboard.distribution.damped";

    @ObjectClassDefinition(name = "Switchboard damped load distribution")
    public @interface Config {
        @AttributeDefinition(description = "Share of the way from the previous factor to the target taken each round, above 0 and at most 1"
                + " (1: no damping).")
        double damping() default 0.5;

        @AttributeDefinition(description = "Whether a service slower than the cluster's median execution time gets less.")
        boolean weighLatency() default true;
    }

    private volatile double damping = 0.5;
    private volatile boolean weighLatency = true;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        ConfigReader r = new ConfigReader(props, List.of("damping", "weighLatency", LoadDistribution.NAME));
        try {
            r.rejectUnknownKeys();
            String text = r.string("damping", "0.5");
            double d;
            try {
                d = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new ConfigProblem("damping", "'" + text + "' is not a number");
            }
            if (!(d > 0 && d <= 1)) {
                throw new ConfigProblem("damping", d + " is not above 0 and at most 1");
            }
            damping = d;
            weighLatency = r.bool("weighLatency", true);
        } catch (ConfigProblem p) {
            Logger l = log;
            if (l != null) {
                l.error(r.rejected(p, "the damped distribution keeps damping " + damping));
            }
        }
    }

    @Override
    public Map<String, Integer> distribute(String cluster, List<LoadReport> reports, Map<String, Integer> previous) {
        double median = weighLatency ? medianExecutionMillis(reports) : Double.NaN;
        Map<String, Integer> out = new HashMap<>();
        for (LoadReport r : reports) {
            double target = target(r, median);
            Integer before = previous.get(r.endpoint().id());
            double from = before == null ? 100 : before;
            double next = from + damping * (target - from);
            // Rounded towards the target, so that a lasting target is reached, not circled at one off.
            long factor = (long) (target < from ? Math.floor(next) : Math.ceil(next));
            if (factor == 0 && target > 0) {
                factor = 1;
            }
            out.put(r.endpoint().id(), (int) Math.max(0, Math.min(100, factor)));
        }
        return out;
    }

    static double target(LoadReport r, double medianMillis) {
        double t = r.capacityPercent() >= 0 ? r.capacityPercent() : !Double.isNaN(r.cpuPercent()) ? 100 - r.cpuPercent() : 100;
        double exec = r.averageExecutionMillis();
        if (!Double.isNaN(medianMillis) && !Double.isNaN(exec) && exec > medianMillis && medianMillis > 0) {
            t *= Math.max(0.1, medianMillis / exec);
        }
        return Math.max(0, Math.min(100, t));
    }

    /** The median of the reported execution times; NaN when fewer than two endpoints report one. */
    static double medianExecutionMillis(List<LoadReport> reports) {
        List<Double> times = new ArrayList<>();
        for (LoadReport r : reports) {
            if (!Double.isNaN(r.averageExecutionMillis())) {
                times.add(r.averageExecutionMillis());
            }
        }
        if (times.size() < 2) {
            return Double.NaN;
        }
        times.sort(null);
        int n = times.size();
        return n % 2 == 1 ? times.get(n / 2) : (times.get(n / 2 - 1) + times.get(n / 2)) / 2;
    }
}
