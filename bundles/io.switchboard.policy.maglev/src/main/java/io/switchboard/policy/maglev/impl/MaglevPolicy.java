package io.switchboard.policy.maglev.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Maglev consistent hashing: a request goes to the endpoint that its key's slot in the
 * {@link MaglevTable} names, so the same key keeps reaching the same endpoint, every dispatcher
 * agrees without talking, and adding or removing one of N endpoints moves only about 1/N of the keys.
 *
 * <p>The key is configured with {@code hashKey} (PID {@code io.switchboard.policy.maglev}):
 * {@code client} (the default) is the client's IP address; any other value names a request attribute
 * read with {@link RequestContext#attribute}, e.g. {@code header:X-User} or {@code path}. A request
 * without that attribute (or a TCP/UDP flow, which has none) is hashed on its client address. A change
 * of {@code hashKey} applies to the next request; tables do not depend on it.
 *
 * <p>The table is built once per snapshot, in {@link #newBalancer}, and shared by the balancers of
 * all switching threads; a lookup is a hash and an array read.
 */
@Component(configurationPid = MaglevPolicy.PID, service = BalancingPolicy.class,
        property = BalancingPolicy.NAME + "=maglev")
@Designate(ocd = MaglevPolicy.Config.class)
public class MaglevPolicy implements BalancingPolicy {
    static final String PID = "io.switchboard.policy.maglev";
    /** The {@code hashKey} meaning the client's IP address. */
    static final String CLIENT = "client";

    @ObjectClassDefinition(name = "Switchboard Maglev policy",
            description = "Consistent hashing of a request key onto the endpoints of a cluster.")
    public @interface Config {
        @AttributeDefinition(description = "What is hashed: 'client' (the client IP address) or a request"
                + " attribute such as 'header:X-User', 'path' or 'host'. Requests without that attribute"
                + " are hashed on their client address.")
        String hashKey() default CLIENT;
    }

    /** The attribute hashed, or null for the client address. */
    private volatile String attribute;

    /** One table per snapshot (its endpoint list); forgotten with the snapshot. */
    private final Map<List<Endpoint>, MaglevTable> tables = new WeakHashMap<>();

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        ConfigReader r = new ConfigReader(props, List.of("hashKey", BalancingPolicy.NAME));
        try {
            r.rejectUnknownKeys();
            String key = r.string("hashKey", CLIENT);
            if (!key.equals(CLIENT) && !key.matches("method|uri|path|query|host|device|(header|cookie|query):[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new ConfigProblem("hashKey", "'" + key + "' is not client, method, uri, path, query, host, device,"
                        + " header:NAME, cookie:NAME or query:NAME");
            }
            attribute = key.equals(CLIENT) ? null : key;
        } catch (ConfigProblem p) {
            Logger l = log;
            if (l != null) {
                l.error(r.rejected(p, "maglev keeps hashing on " + hashKey()));
            }
        }
    }

    /** The configured key: {@code client} or an attribute name. */
    String hashKey() {
        String a = attribute;
        return a == null ? CLIENT : a;
    }

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        MaglevTable table;
        synchronized (tables) { // once per snapshot and thread; the first one builds the table
            table = tables.computeIfAbsent(endpoints, MaglevTable::build);
        }
        return (request, excluded) -> table.lookup(keyHash(request), excluded);
    }

    /** The hash of the request's key, the same on every dispatcher. */
    long keyHash(RequestContext request) {
        if (request == null) {
            return 0;
        }
        String name = attribute;
        if (name != null) {
            String value = request.attribute(name);
            if (value != null) {
                return MaglevTable.hash(value);
            }
        }
        return clientHash(request.clientAddress());
    }

    private static long clientHash(InetSocketAddress client) {
        if (client == null) {
            return 0;
        }
        InetAddress address = client.getAddress();
        return address != null ? MaglevTable.hash(address.getAddress()) : MaglevTable.hash(client.getHostString());
    }

    /** For tests: the table this policy holds for a snapshot. */
    MaglevTable table(List<Endpoint> endpoints) {
        synchronized (tables) {
            return tables.computeIfAbsent(endpoints, MaglevTable::build);
        }
    }
}
