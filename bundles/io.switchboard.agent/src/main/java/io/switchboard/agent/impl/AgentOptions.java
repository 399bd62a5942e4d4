package io.switchboard.agent.impl;

import java.net.URL;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The agent's settings, valid by construction (see {@link CommandLine}). The same settings come
 * from the command line and, in a framework, from the configuration {@code io.switchboard.agent}.
 *
 * @param servicePort    local port of the watched service (clients are counted on it)
 * @param listen         port the agent answers on (0: any free port)
 * @param bind           address the agent binds
 * @param intervalMillis time between samples
 * @param accessLog      access log to tail, or null
 * @param timeRegex      regex whose one group is the execution time in a log line, or null for the last field
 * @param millisPerUnit  what one unit of the logged time is in milliseconds
 * @param statusUrl      nginx stub_status URL, or null
 * @param stateFile      operator's override file, or null
 * @param maxClients     clients at which the capacity reaches its floor, or 0 for no limit
 * @param readWindowMillis  how long a connection is read before the answer goes out
 * @param writeTimeoutMillis how long a client has to take its answer
 */
record AgentOptions(int servicePort, int listen, String bind, int intervalMillis, Path accessLog, Pattern timeRegex,
                    double millisPerUnit, URL statusUrl, Path stateFile, int maxClients, int readWindowMillis,
                    int writeTimeoutMillis) {
    static final int DEFAULT_LISTEN = 5555;
    static final String DEFAULT_BIND = "0.0.0.0";
    static final int DEFAULT_INTERVAL = 1000;
    static final int DEFAULT_READ_WINDOW = 50;
    static final int DEFAULT_WRITE_TIMEOUT = 1000;
}
