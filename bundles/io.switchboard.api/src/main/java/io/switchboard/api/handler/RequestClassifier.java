package io.switchboard.api.handler;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.Message;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Gives a message a request type, so that the default handler can reassign its flow to the
 * specialized handler registered for that type. Classifiers are OSGi services run in
 * service-ranking order; the first non-null answer wins. A classifier runs on the event loop: it
 * must be quick, and one that throws or takes too long is counted and skipped.
 */
@ConsumerType
public interface RequestClassifier {
    /** @return the request's type, or null when this classifier has no opinion */
    String classify(Flow flow, Message message);
}
