package io.switchboard.api.core;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** One immutable version of the switch table. */
@ProviderType
public interface SwitchTable {
    /** Increases by one per published batch of edits. */
    long version();

    /** Handlers by the request type they serve. */
    Map<String, HandlerEntry> handlers();

    /** Flows currently reassigned, by flow id. */
    Map<Long, ReassignmentRecord> reassignments();
}
