package io.switchboard.example.protocol.echo;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The handler of type {@code echo}: the default handler gives it every flow of an echo frontend
 * that no classifier claims (a stream flow goes to the handler named like its protocol), and it
 * answers each line with {@code <label> <line>}. The label is the bundle's {@value #LABEL_HEADER}
 * manifest header, so two builds of this bundle can be told apart on the wire.
 * <p>
 * It runs inline on the connection's event loop (no {@value FlowHandler#THREADS} property): it
 * only copies bytes.
 */
@Component(property = FlowHandler.TYPE + "=echo")
public class EchoHandler implements FlowHandler {
    /** The manifest header naming this build; set from the pom's {@code echo.label}. */
    static final String LABEL_HEADER = "X-Echo-Label";

    private byte[] prefix;

    public EchoHandler() {
        // for Declarative Services: the label comes in activate
    }

    /** A handler outside a framework (tests). */
    EchoHandler(String label) {
        this.prefix = (label + " ").getBytes(StandardCharsets.UTF_8);
    }

    @Activate
    void activate(BundleContext context) {
        String label = context.getBundle().getHeaders().get(LABEL_HEADER);
        this.prefix = ((label == null || label.isBlank() ? "v1" : label.trim()) + " ").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(Flow flow, Message message) {
        ByteBuffer line = message.payload();
        ByteBuffer answer = ByteBuffer.allocate(prefix.length + line.remaining() + 1);
        answer.put(prefix).put(line).put((byte) '\n').flip();
        message.reply(200, "text/plain", answer);
    }
}
