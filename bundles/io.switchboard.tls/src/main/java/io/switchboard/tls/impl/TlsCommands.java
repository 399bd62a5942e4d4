package io.switchboard.tls.impl;

import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code sb:tls}: each frontend that terminates TLS, its certificates in force and its handshake counts. */
@Component(service = TlsCommands.class, property = {"osgi.command.scope=sb", "osgi.command.function=tls"})
public class TlsCommands {
    @Reference
    private TlsService service;

    public String tls() {
        StringBuilder b = new StringBuilder("TLS engine ").append(service.engine().name());
        if (service.engine().fallbackReason != null) {
            b.append(" (fallback: ").append(service.engine().fallbackReason).append(')');
        }
        b.append('\n');
        List<LiveCertificates> bound = service.bound();
        if (bound.isEmpty()) {
            b.append("no frontend terminates TLS\n");
        }
        for (LiveCertificates l : bound) {
            TlsSettings s = l.settings();
            b.append("frontend ").append(s.frontend).append(": ").append(String.join(", ", s.protocols))
                    .append(s.alpn.isEmpty() ? "" : ", ALPN " + String.join(", ", s.alpn))
                    .append(", unknown SNI ").append(s.refuseUnknownSni ? "refused" : "default certificate").append('\n')
                    .append("  handshakes ").append(l.handshakes.sum()).append(", failed ").append(l.failures.sum())
                    .append(" (refused names ").append(l.refusedSni.sum()).append("), reloads ").append(l.reloads.sum()).append('\n');
            for (String d : l.current().descriptions) {
                b.append("  ").append(d).append('\n');
            }
        }
        return b.toString();
    }
}
