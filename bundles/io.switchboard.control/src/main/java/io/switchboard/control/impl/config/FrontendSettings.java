package io.switchboard.control.impl.config;

import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/** Turns the properties of one {@code io.switchboard.frontend} configuration into a spec. */
public final class FrontendSettings {
    public static final String FACTORY_PID = "io.switchboard.frontend";
    static final List<String> KEYS = List.of("name", "protocol", "address", "port", "cluster");

    private FrontendSettings() {
    }

    public static FrontendSpec parse(ConfigReader r) throws ConfigProblem {
        r.rejectUnknownKeys();
        String name = r.instanceName();
        Protocol protocol;
        try {
            protocol = Protocol.parse(r.string("protocol", "http"));
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("protocol", e.getMessage());
        }

        String address = r.string("address", "0.0.0.0");
        if (!isLiteralAddress(address)) {
            throw new ConfigProblem("address", "'" + address + "' is not an IP address");
        }
        int port = r.integer("port", null, 0, 65535);
        String cluster = r.requiredString("cluster");
        return new FrontendSpec(name, protocol, address, port, cluster);
    }

    public static FrontendSpec parse(Map<String, ?> props) throws ConfigProblem {
        return parse(new ConfigReader(props, KEYS));
    }

    private static boolean isLiteralAddress(String a) {
        if (!a.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return false; // no host names: a frontend must not wait for DNS
        }
        try {
            InetAddress.getByName(a);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
