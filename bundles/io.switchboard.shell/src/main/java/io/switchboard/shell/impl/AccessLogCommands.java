package io.switchboard.shell.impl;

import io.switchboard.api.log.AccessLog;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code sb:accesslog}: where the access log goes and what became of its entries. */
@Component(service = AccessLogCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=accesslog"})
public class AccessLogCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AccessLog accessLog;

    @Descriptor("the access log: format, file, rotation; entries written, dropped (ring full), failed (write errors), waiting")
    public String accesslog() {
        AccessLog a = accessLog;
        if (a == null) {
            return "the access log bundle is not running (io.switchboard.accesslog)";
        }
        StringBuilder sb = new StringBuilder("access log: ").append(a.describe()).append('\n');
        TextTable t = new TextTable("WRITTEN", "DROPPED (RING FULL)", "FAILED (WRITE ERRORS)", "WAITING");
        t.row(a.written(), a.dropped(), a.failed(), a.backlog());
        sb.append(t);
        String error = a.lastError();
        if (error != null) {
            sb.append("latest write error: ").append(error).append('\n');
        }
        return sb.toString();
    }

    /** The access log's line among sb:status's problems, or null when it has none. */
    static String problem(AccessLog a) {
        if (a == null || (a.dropped() == 0 && a.failed() == 0)) {
            return null;
        }
        StringBuilder sb = new StringBuilder("access log: ");
        if (a.dropped() > 0) {
            sb.append(a.dropped()).append(" entries dropped (ring full: the writer cannot keep up; a larger ringSize helps bursts)");
        }
        if (a.failed() > 0) {
            sb.append(a.dropped() > 0 ? "; " : "").append(a.failed()).append(" entries lost to write errors");
            if (a.lastError() != null) {
                sb.append(", latest: ").append(a.lastError());
            }
        }
        return sb.toString();
    }
}
