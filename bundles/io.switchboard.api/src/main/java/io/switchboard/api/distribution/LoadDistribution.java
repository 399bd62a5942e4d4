package io.switchboard.api.distribution;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A load-distribution algorithm, registered as an OSGi service with the property {@value #NAME}
 * naming it; a cluster chooses one with {@code distribution = <name>}. The control side calls it on
 * its own thread after each round of agent reports; the data path never does. It keeps no state of
 * its own: what it decided last time comes back as {@code previous}, so it can be updated at any
 * time without losing anything.
 */
@ConsumerType
public interface LoadDistribution {
    /** Service property carrying the algorithm's name, e.g. {@code damped}. */
    String NAME = "switchboard.distribution.name";

    /**
     * @param cluster  the cluster's name
     * @param reports  the fresh report of each endpoint that has one (endpoints without are absent)
     * @param previous the factors this cluster returned last time, by endpoint id (empty at first)
     * @return a capacity factor in percent, 0..100, for each endpoint it decides on: the endpoint's
     *         configured weight is scaled by it. Endpoints left out are balanced with their configured
     *         weight.
     */
    Map<String, Integer> distribute(String cluster, List<LoadReport> reports, Map<String, Integer> previous);
}
