package io.switchboard.systest.netns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests from inside a namespace, one new TCP connection each (curl, {@code Connection: close}),
 * so every one leaves from a new source port and the router hashes it anew. Each answer says which
 * dispatcher carried it (its {@code Via} pseudonym) and which back-end served it ({@code X-Be}).
 */
public final class Connections {
    private static final int PER_CURL = 30;

    private Connections() {
    }

    /** One connection's outcome: status 0 when it failed (refused, reset, timed out). */
    public record Answer(int localPort, int status, String dispatcher, String backend) {
    }

    /** {@code count} GETs of {@code url} from namespace {@code ns}, each on its own connection. */
    public static List<Answer> get(String ns, String url, int count) {
        return get(ns, null, url, count);
    }

    /** The same sent from {@code source}, one of the namespace's addresses (null: the kernel's choice). */
    public static List<Answer> get(String ns, String source, String url, int count) {
        return get(ns, source, url, count, false);
    }

    /**
     * At once: up to 30 connections opened together ({@code curl --parallel --parallel-immediate}),
     * so a new client's first connections reach several dispatchers at the same moment.
     */
    public static List<Answer> together(String ns, String source, String url, int count) {
        return get(ns, source, url, count, true);
    }

    private static List<Answer> get(String ns, String source, String url, int count, boolean parallel) {
        List<Answer> answers = new ArrayList<>();
        for (int done = 0; done < count; done += PER_CURL) {
            List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "3", "-H", "Connection: close",
                    "-w", "%{local_port}|%{http_code}|%header{via}|%header{x-be}\\n"));
            if (source != null) {
                cmd.addAll(List.of("--interface", source));
            }
            if (parallel) {
                cmd.addAll(List.of("--parallel", "--parallel-immediate", "--parallel-max", Integer.toString(PER_CURL)));
            }
            for (int i = done; i < Math.min(count, done + PER_CURL); i++) {
                cmd.addAll(List.of("-o", "/dev/null", url));
            }
            Ip.Result r = Ip.exec(RouterTopology.exec(ns, cmd.toArray(String[]::new)), 120);
            for (String line : r.output().split("\n")) {
                String[] f = line.split("\\|", -1);
                if (f.length == 4) {
                    String via = f[2].trim();
                    answers.add(new Answer(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()),
                            via.contains(" ") ? via.substring(via.lastIndexOf(' ') + 1) : via, f[3].trim()));
                }
            }
        }
        if (answers.size() != count) {
            throw new AssertionError("curl reported " + answers.size() + " of " + count + " connections: " + answers);
        }
        return answers;
    }

    /** How many answers each dispatcher carried (failed ones under "", if any). */
    public static Map<String, Integer> perDispatcher(List<Answer> answers) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Answer a : answers) {
            counts.merge(a.status() == 0 ? "" : a.dispatcher(), 1, Integer::sum);
        }
        return counts;
    }
}
