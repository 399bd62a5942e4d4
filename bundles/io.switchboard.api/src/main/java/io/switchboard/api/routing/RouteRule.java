package io.switchboard.api.routing;

import io.switchboard.api.RequestContext;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A routing rule: when every condition matches a request arriving on one of its frontends (or on
 * any, when it names none), the request goes to the rule's cluster. Rules are tried by order, then
 * name; the first that matches wins; a request no rule matches goes to its frontend's cluster. The
 * control plane parses rules from configuration; the HTTP handler only asks them.
 */
@ProviderType
public interface RouteRule {
    String name();

    int order();

    /** Frontends the rule applies to; empty: all. */
    List<String> frontends();

    /** The conditions as configured (e.g. {@code path=/api}, {@code cookie:tier=gold}), all of which must hold. */
    List<String> conditions();

    String cluster();

    /** Does the rule apply to this request? Never throws. */
    boolean matches(RequestContext request);
}
