package io.switchboard.cluster.impl;

import java.net.InetSocketAddress;

/**
 * The JGroups protocol stack for the settings, as the XML JGroups reads (its own tcp.xml and udp.xml
 * with our addresses): JGroups builds it by class name, which is why its bundle imports dynamically.
 * Failure detection is quick (a dead dispatcher's socket closes at once: FD_SOCK2), MERGE3 runs
 * every few seconds so a healed partition merges soon, and STATE_TRANSFER hands a joiner the table.
 */
final class StackXml {
    private StackXml() {
    }

    static String of(DispatcherSettings s) {
        StringBuilder x = new StringBuilder("<config xmlns=\"urn:org:jgroups\">\n");
        String bind = s.bindAddress.getHostAddress();
        if (s.transport == DispatcherSettings.Transport.UDP) {
            x.append("<UDP bind_addr=\"").append(bind).append("\" bind_port=\"").append(s.bindPort)
                    .append("\" port_range=\"0\" mcast_addr=\"").append(s.mcastAddress.getHostAddress())
                    .append("\" mcast_port=\"").append(s.mcastPort).append("\" ip_ttl=\"2\" bundler_type=\"no-bundler\"/>\n");
            x.append("<PING/>\n");
        } else {
            x.append("<TCP bind_addr=\"").append(bind).append("\" bind_port=\"").append(s.bindPort)
                    .append("\" port_range=\"0\" sock_conn_timeout=\"300\" tcp_nodelay=\"true\" bundler_type=\"no-bundler\"/>\n");
            if (s.discoveryDir != null) {
                x.append("<FILE_PING location=\"").append(escape(s.discoveryDir.toAbsolutePath().toString()))
                        .append("\" remove_all_data_on_view_change=\"true\"/>\n");
            } else {
                StringBuilder hosts = new StringBuilder();
                for (InetSocketAddress m : s.members) {
                    hosts.append(hosts.length() == 0 ? "" : ",").append(m.getAddress().getHostAddress()).append('[').append(m.getPort()).append(']');
                }
                x.append("<TCPPING initial_hosts=\"").append(hosts).append("\" port_range=\"0\" async_discovery=\"true\"/>\n");
            }
        }
        x.append("<MERGE3 min_interval=\"2s\" max_interval=\"5s\" check_interval=\"8s\"/>\n");
        x.append("<FD_SOCK2/>\n");
        x.append("<FD_ALL3 timeout=\"12s\" interval=\"3s\"/>\n");
        x.append("<VERIFY_SUSPECT2 timeout=\"1s\"/>\n");
        x.append("<BARRIER/>\n");
        x.append("<pbcast.NAKACK2 use_mcast_xmit=\"false\" xmit_interval=\"200\"/>\n");
        x.append("<UNICAST3 xmit_interval=\"200\"/>\n");
        x.append("<pbcast.STABLE desired_avg_gossip=\"20s\" max_bytes=\"4M\"/>\n");
        // few JOIN attempts: when nobody lets a joiner in, GroupMember asks discovery why and joins again,
        // bounded by groupWaitSeconds (JGroups alone would make it a group of one after ten)
        x.append("<pbcast.GMS print_local_addr=\"false\" max_join_attempts=\"3\" join_timeout=\"").append(Math.min(2000, s.joinTimeoutMillis)).append("\"/>\n");
        x.append("<MFC max_credits=\"10M\" min_threshold=\"0.4\"/>\n");
        x.append("<UFC max_credits=\"10M\" min_threshold=\"0.4\"/>\n");
        x.append("<FRAG2 frag_size=\"60K\"/>\n");
        x.append("<pbcast.STATE_TRANSFER/>\n");
        return x.append("</config>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
