package io.switchboard.api.handler;

import io.switchboard.api.RequestContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Gives a request a type, so that the default handler can reassign it to the specialized handler
 * registered for that type (service property {@value #HANDLER_TYPE}). Classifiers are OSGi services
 * run in service-ranking order; the first non-null answer wins.
 */
@ConsumerType
public interface RequestClassifier {
    /** Service property of a specialized handler: the request type it serves. */
    String HANDLER_TYPE = "switchboard.handler.type";

    /** @return the request's type, or null when this classifier has no opinion */
    String classify(RequestContext request);
}
