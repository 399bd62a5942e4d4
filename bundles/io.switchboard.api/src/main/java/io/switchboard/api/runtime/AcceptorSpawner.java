package io.switchboard.api.runtime;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The spawner: how many event loops accept on each frontend, and why. */
@ProviderType
public interface AcceptorSpawner {
    /** Event loops accepting on each TCP/HTTP frontend now. */
    int acceptors();

    int minAcceptors();

    int maxAcceptors();

    /** The queueing delay the spawner weighs: recent event-loop lag of the accepting loops, in microseconds. */
    long lagMicros();

    /** Whether connections waiting in a closed listener's queue move to the others (kernel request migration). */
    boolean canShrinkWithoutLoss();

    /** The latest decisions, newest last, each with its reason. */
    List<String> decisions();

    /**
     * Sets the number of accepting loops now (an operator's decision, recorded with the others);
     * the spawner goes on deciding from there within its bounds.
     */
    void setAcceptors(int n);
}
