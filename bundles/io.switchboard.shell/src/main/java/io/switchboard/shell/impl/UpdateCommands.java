package io.switchboard.shell.impl;

import io.switchboard.api.runtime.PlatformUpdates;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code sb:update}: a bundle updated under load, checked first, rolled back if it fails, reported. */
@Component(service = UpdateCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=update"})
public class UpdateCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PlatformUpdates updates;

    @Descriptor("update a bundle from a URL or file; reports the versions, the time taken and what drained")
    public String update(@Descriptor("bundle symbolic name or id") String bundle, @Descriptor("URL or path of the new jar") String url) {
        return run(bundle, url);
    }

    @Descriptor("update a bundle from where it came (a built-in bundle from the runtime jar); reports what drained")
    public String update(@Descriptor("bundle symbolic name or id") String bundle) {
        return run(bundle, null);
    }

    @Descriptor("usage: sb:update <bundle> [url]")
    public String update() {
        return "usage: sb:update <bundle> [url]   (bundle: symbolic name or id, see lb; url: the new jar, default: where it came from)";
    }

    private String run(String bundle, String url) {
        PlatformUpdates u = updates;
        if (u == null) {
            return "updates are not available: io.switchboard.lifecycle is not running";
        }
        try {
            return u.update(bundle, url);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return e.getMessage();
        }
    }
}
