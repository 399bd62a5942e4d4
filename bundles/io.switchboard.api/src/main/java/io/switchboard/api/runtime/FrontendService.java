package io.switchboard.api.runtime;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The transport's frontends. Configuration applies specs; operators read status. */
@ProviderType
public interface FrontendService {
    /**
     * Starts the frontend, or changes it in place. A frontend whose address did not change keeps its
     * socket. Never throws for a bind failure: the failure is logged and shown in the status.
     */
    void apply(FrontendSpec spec);

    /** Stops listening on the frontend's address; its connections finish within the grace period. */
    void remove(String name);

    List<FrontendStatus> frontends();
}
