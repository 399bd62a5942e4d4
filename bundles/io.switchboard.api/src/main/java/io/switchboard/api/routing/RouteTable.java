package io.switchboard.api.routing;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The routing rules in force, as one immutable, ordered list (a new list on every change). */
@ProviderType
public interface RouteTable {
    List<RouteRule> rules();
}
