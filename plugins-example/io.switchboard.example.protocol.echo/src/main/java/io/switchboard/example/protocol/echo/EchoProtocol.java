package io.switchboard.example.protocol.echo;

import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.transport.FrontendProtocol;
import io.switchboard.api.transport.StreamBinding;
import io.switchboard.api.transport.StreamProtocol;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code echo} protocol: a frontend with {@code protocol = echo} hands each connection it
 * accepts to {@link #bind}'s binding, which splits the bytes into lines; each line goes through the
 * intelligent switch as one message of the connection's flow, and its answer goes back before the
 * next line is routed.
 * <p>
 * Registered under {@link FrontendProtocol} (the transport looks protocols up by that interface and
 * the {@value FrontendProtocol#NAME} property). When a new version of this bundle registers, the
 * transport binds frontends to it for new connections and sends {@code DrainEvent} down the
 * connections the old version serves.
 */
@Component(service = FrontendProtocol.class, property = FrontendProtocol.NAME + "=echo")
public class EchoProtocol implements StreamProtocol {
    static final int DEFAULT_MAX_LINE_BYTES = 1024;

    /*
     * Connections accepted before an update run on this version's classes until they close, but
     * FileInstall refreshes the bundle right after the update, and from then on this version's class
     * loader loads none of its own classes any more (imported packages still load). So every class
     * of this bundle that a connection may need later is loaded now, while the bundle is whole.
     */
    private static final Class<?>[] CONNECTION_CLASSES = {EchoConnection.class, EchoMessage.class};

    /** The frontend keys this protocol reads; the transport rejects any other before calling bind. */
    static final Map<String, String> OPTIONS = Map.of(
            "maxLineBytes", "longest line in bytes, without its line end; a longer one is answered with ERR and the connection closed ("
                    + DEFAULT_MAX_LINE_BYTES + ")");

    @Override
    public Map<String, String> options() {
        return OPTIONS;
    }

    @Override
    public StreamBinding bind(FrontendSpec frontend) {
        // Checked once per frontend change, never per connection; the message names the key, as the
        // transport's "config rejected" log line expects.
        int maxLineBytes;
        try {
            ConfigReader r = new ConfigReader(frontend.options(), OPTIONS.keySet());
            r.rejectUnknownKeys();
            maxLineBytes = r.integer("maxLineBytes", DEFAULT_MAX_LINE_BYTES, 1, 1 << 20);
        } catch (ConfigProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
        return connection -> {
            SocketChannel ch = connection.channel();
            // One line at a time: nothing more is read while a line waits for its answer.
            ch.config().setAutoRead(false);
            // A client that shuts its output after its last line still gets every answer.
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            ch.pipeline()
                    .addLast("lines", new LineBasedFrameDecoder(maxLineBytes, true, true))
                    .addLast("echo", new EchoConnection(connection, maxLineBytes));
        };
    }
}
