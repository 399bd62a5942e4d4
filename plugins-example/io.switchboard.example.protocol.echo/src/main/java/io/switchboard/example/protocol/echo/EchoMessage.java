package io.switchboard.example.protocol.echo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.switchboard.support.flow.BytesMessage;
import java.nio.charset.StandardCharsets;

/**
 * One line (without its line end) as a message of its connection's flow. {@link BytesMessage}
 * holds the bytes until the handler decides, takes exactly one decision and brings a decision made
 * on another thread back to the connection's event loop; this class only says what each decision
 * means for an echo connection.
 */
final class EchoMessage extends BytesMessage {
    private final EchoConnection connection;

    EchoMessage(EchoConnection connection, EventLoop loop, ByteBuf line) {
        super(loop, line);
        this.connection = connection;
    }

    @Override
    protected void replied(ByteBuf answer) {
        connection.answered(answer);
    }

    /**
     * An echo frontend has no back-end to forward to. A line gets here when no handler of type
     * {@code echo} is registered (the default handler then serves it from the frontend's cluster):
     * the client gets an error line and may go on.
     */
    @Override
    protected void forwarded(String cluster, ByteBuf line) {
        line.release();
        connection.answered(Unpooled.copiedBuffer("ERR no echo handler\n", StandardCharsets.UTF_8));
    }

    @Override
    protected void failed(ByteBuf undecided) {
        if (undecided != null) {
            undecided.release();
        }
        connection.failed();
    }
}
