package io.switchboard.api.handler;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What the default handler's classification has done: provided by the default handler. */
@ProviderType
public interface ClassifierStats {
    /** Classifiers in the order they run. */
    List<String> classifiers();

    /** Messages classified. */
    long classified();

    /** Classifier calls that threw. */
    long failures();

    /** Classifier calls over the time budget (their answer is ignored, the classifier rests a while). */
    long slow();
}
