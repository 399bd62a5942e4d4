package io.switchboard.example.classifier.header;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.Message;
import io.switchboard.api.handler.RequestClassifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;

/**
 * Types a request by what it says about itself: an HTTP request by its {@code X-Switchboard-Type}
 * header, a TCP stream by a first line {@code TYPE <name>}. Anything else: no opinion.
 */
@Component
public class HeaderClassifier implements RequestClassifier {
    static final String HEADER = "X-Switchboard-Type";

    @Override
    public String classify(Flow flow, Message message) {
        String header = message.attribute("header:" + HEADER);
        if (header != null) {
            return header.trim().isEmpty() ? null : header.trim();
        }
        ByteBuffer b = message.payload();
        if (b.remaining() > 5) {
            byte[] head = new byte[Math.min(b.remaining(), 64)];
            b.duplicate().get(head);
            String line = new String(head, StandardCharsets.US_ASCII);
            if (line.startsWith("TYPE ")) {
                String type = line.substring(5).split("[\\r\\n ]", 2)[0];
                return type.isEmpty() ? null : type;
            }
        }
        return null;
    }
}
