package io.switchboard.example.handler.hello;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;

/**
 * A specialized handler for requests of type {@code hello}. Once the default handler reassigns a
 * flow to it, it answers every later message of that flow itself, until a request carries
 * {@code X-Switchboard-Hand-Back} (or a TCP line {@code BYE}): then it hands the flow back.
 */
@Component(property = FlowHandler.TYPE + "=hello")
public class HelloHandler implements FlowHandler {

    @Override
    public void handle(Flow flow, Message message) {
        boolean handBack = message.attribute("header:X-Switchboard-Hand-Back") != null || startsWith(message.payload(), "BYE");
        String text = "hello from the hello handler: message " + flow.messages() + " of flow " + flow.id()
                + (handBack ? ", handing the flow back" : "") + "\n";
        if (handBack) {
            flow.handBack();
        }
        message.reply(200, "text/plain", ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean startsWith(ByteBuffer b, String prefix) {
        if (b.remaining() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b.get(b.position() + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
