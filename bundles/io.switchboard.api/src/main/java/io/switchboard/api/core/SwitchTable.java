package io.switchboard.api.core;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** One immutable version of the switch table: the handlers, by the request type they serve. */
@ProviderType
public interface SwitchTable {
    /** Increases by one per published batch of edits. */
    long version();

    /** Handlers by the request type they serve. */
    Map<String, HandlerEntry> handlers();
}
