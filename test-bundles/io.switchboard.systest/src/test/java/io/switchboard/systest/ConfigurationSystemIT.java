package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitVia;
import static io.switchboard.systest.SystemTests.get;
import static io.switchboard.systest.SystemTests.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Files in conf/ edited as an operator would: half-written, in conflict, with bad values. */
class ConfigurationSystemIT {

    @Test
    void aFileSavedInTwoWritesIsAppliedOnceWhole() throws Exception {
        try (RuntimeProcess rt = new RuntimeProcess();
             HttpBackend one = new HttpBackend("one");
             HttpBackend two = new HttpBackend("two")) {
            rt.awaitPort(rt.demoPort, 60_000);
            Path conf = rt.workDir.resolve("conf");
            int port = RuntimeProcess.freePort();
            write(conf.resolve("io.switchboard.frontend-half.cfg"), "address = 127.0.0.1\nport = " + port + "\ncluster = half\n");

            // An editor that saves in two writes, the second a moment (shorter than the settle time)
            // after the first. The watcher polls once a second: most runs it sees the first half alone.
            Path cluster = conf.resolve("io.switchboard.cluster-half.cfg");
            Files.writeString(cluster, "endpoints = 127.0.0.1:" + one.port());
            Thread.sleep(700);
            Files.writeString(cluster, ", 127.0.0.1:" + two.port() + "\n", StandardOpenOption.APPEND);

            String applied = rt.awaitOutput(0, l -> l.contains("cluster half policy="), 20_000);
            assertTrue(applied.contains("endpoints=[127.0.0.1:" + one.port() + ", 127.0.0.1:" + two.port() + "]"), applied);
            Thread.sleep(2_500); // a half applied late would show by now
            List<String> lines = rt.output.stream().filter(l -> l.contains("cluster half policy=")).collect(Collectors.toList());
            assertEquals(List.of(applied), lines, "the cluster was applied once, whole");

            rt.awaitPort(port, 20_000);
            Set<String> servedBy = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                try (RawHttpClient c = new RawHttpClient(port)) {
                    servedBy.add(c.get("/").body.trim());
                }
            }
            assertEquals(Set.of("one /", "two /"), servedBy);
        }
    }

    /**
     * A file changed just before, or while, the control bundle is updated (sb:update, or Felix's
     * update and refresh) is applied all the same: its change may be waiting out the settle time in
     * the leaving version, or made while no version runs. Each round changes a frontend's Via (a .cfg
     * file) and its cluster's endpoint (a .json file), then updates control after a delay.
     */
    @Test
    void aFileChangedAsTheControlBundleIsUpdatedIsApplied() throws Exception {
        try (RuntimeProcess rt = new RuntimeProcess();
             HttpBackend one = new HttpBackend("one");
             HttpBackend two = new HttpBackend("two")) {
            rt.awaitPort(rt.demoPort, 60_000);
            Path conf = rt.workDir.resolve("conf");
            int port = RuntimeProcess.freePort();
            Path frontend = conf.resolve("io.switchboard.frontend-live.cfg");
            Path cluster = conf.resolve("io.switchboard.cluster-live.json");
            write(cluster, endpoint(one));
            write(frontend, liveFrontend(port, null));
            rt.awaitPort(port, 20_000);
            awaitServedBy(port, one);

            long[] delays = {0, 0, 50, 100, 150, 200, 0, 300, 600, 900, 1200, 1500};
            for (int round = 0; round < delays.length; round++) {
                String via = round % 2 == 0 ? "round" + round : null;
                HttpBackend serving = round % 2 == 0 ? two : one;
                boolean felix = (round / 2) % 2 == 1; // each way sees Via both set and removed
                write(frontend, liveFrontend(port, via));
                write(cluster, endpoint(serving));
                Thread.sleep(delays[round]);
                if (felix) {
                    rt.updateAndRefresh("io.switchboard.control");
                } else {
                    List<String> answer = rt.command("sb:update io.switchboard.control", 60_000);
                    assertTrue(answer.stream().anyMatch(l -> l.startsWith("updated io.switchboard.control")), answer.toString());
                }
                String what = "round " + round + ": control updated " + delays[round] + " ms after the files were written"
                        + (felix ? " (update + refresh)" : " (sb:update)");
                awaitVia(port, via == null ? null : "1.1 " + via, what);
                awaitServedBy(port, serving);
            }

            // Nothing else took the files (FileInstall's own installer logs what it applies), and the
            // frontend was never restarted: each version of control applied its file to it again,
            // which changes nothing in the transport.
            assertEquals(List.of(), rt.output.stream()
                    .filter(l -> l.contains("Updating configuration {") || l.contains("Creating configuration {"))
                    .collect(Collectors.toList()));
            assertEquals(1, rt.output.stream().filter(l -> l.contains("frontend live listening on")).count(), "frontend started once");
            assertEquals(0, rt.output.stream().filter(l -> l.contains("frontend live closed its listener")).count());
        }
    }

    @Test
    void ofTwoFilesThatWantOneNameOrPortTheFirstKeepsServingAndTheOtherWaitsUntilTouched() throws Exception {
        try (RuntimeProcess rt = new RuntimeProcess()) {
            rt.awaitPort(rt.demoPort, 60_000);
            Path conf = rt.workDir.resolve("conf");

            // Two files name one frontend.
            int firstPort = RuntimeProcess.freePort();
            int secondPort = RuntimeProcess.freePort();
            Path first = conf.resolve("io.switchboard.frontend-first.cfg");
            Path second = conf.resolve("io.switchboard.frontend-second.cfg");
            write(first, "name = x\naddress = 127.0.0.1\nport = " + firstPort + "\ncluster = demo\n");
            rt.awaitPort(firstPort, 20_000);
            write(second, "name = x\naddress = 127.0.0.1\nport = " + secondPort + "\ncluster = demo\n");
            rt.awaitOutput("config rejected: conf/io.switchboard.frontend-second.cfg: key 'name': frontend x is already defined by"
                    + " conf/io.switchboard.frontend-first.cfg");
            assertEquals(200, get(firstPort));
            assertClosed(secondPort);

            // Two frontends on one port.
            int shared = RuntimeProcess.freePort();
            Path mine = conf.resolve("io.switchboard.frontend-mine.cfg");
            write(mine, "address = 127.0.0.1\nport = " + shared + "\ncluster = demo\n");
            rt.awaitPort(shared, 20_000);
            write(conf.resolve("io.switchboard.frontend-theirs.cfg"), "address = 127.0.0.1\nport = " + shared + "\ncluster = demo\n");
            rt.awaitOutput("config rejected: conf/io.switchboard.frontend-theirs.cfg: key 'port': port " + shared
                    + " on 127.0.0.1 is already used by frontend mine (conf/io.switchboard.frontend-mine.cfg); frontend theirs not started");
            assertEquals(200, get(shared));

            // The first file goes: the log says which file stays rejected, and it does until touched.
            Files.delete(first);
            rt.awaitOutput("frontend x removed (conf/io.switchboard.frontend-first.cfg is gone);"
                    + " conf/io.switchboard.frontend-second.cfg was refused frontend x while conf/io.switchboard.frontend-first.cfg"
                    + " held it, and stays rejected until changed or touched");
            Files.delete(mine);
            rt.awaitOutput("frontend mine removed (conf/io.switchboard.frontend-mine.cfg is gone);"
                    + " conf/io.switchboard.frontend-theirs.cfg was refused port " + shared
                    + " while conf/io.switchboard.frontend-mine.cfg held it, and stays rejected until changed or touched");
            Thread.sleep(2_500); // a watcher poll and a settle time
            assertClosed(firstPort);
            assertClosed(secondPort);
            assertClosed(shared);

            Files.setLastModifiedTime(second, FileTime.fromMillis(System.currentTimeMillis()));
            rt.awaitPort(secondPort, 20_000);
            assertEquals(200, get(secondPort));
            assertEquals(200, get(rt.demoPort));
        }
    }

    @Test
    void aBadValueInAnySettingsFileIsRejectedByFileAndKeyAndWhatRunsKeepsRunning() throws Exception {
        try (RuntimeProcess rt = new RuntimeProcess()) {
            rt.awaitPort(rt.demoPort, 60_000);
            Path conf = rt.workDir.resolve("conf");
            // The spawner is a service that starts when first asked for, as sb:spawner does; until
            // then nothing reads its file.
            int mark = rt.output.size();
            rt.type("sb:spawner");
            rt.awaitOutput(mark, l -> l.contains("accepting loops"), 20_000);
            write(conf.resolve("io.switchboard.frontends.cfg"), "via = before\n");
            awaitVia(rt.demoPort, "1.1 before", "Via on port " + rt.demoPort);

            String[][] cases = {
                {"io.switchboard.transport.cfg", "eventLoops = abc", "key 'eventLoops': 'abc' is not a whole number; the running configuration stays"},
                {"io.switchboard.frontends.cfg", "via = after\nmaxUriBytes = abc",
                    "key 'maxUriBytes': 'abc' is not a whole number (for frontend "}, // the first frontend checked: admin or demo
                {"io.switchboard.spawner.cfg", "probeMillis = 5", "key 'probeMillis': 5 is out of range 10..3600000; the spawner keeps its settings"},
                {"io.switchboard.core.cfg", "waitStrategy = bogus",
                    "key 'waitStrategy': 'bogus' is not one of blocking, sleeping, yielding, busy-spin; the core keeps its settings"},
                {"io.switchboard.intelligentswitch.cfg", "colour = blue", "key 'colour': unknown key (known: "},
                {"io.switchboard.clusters.cfg", "policyGraceSeconds = abc",
                    "key 'policyGraceSeconds': 'abc' is not a whole number; the clusters keep their settings"},
                {"io.switchboard.handler.default.cfg", "restSeconds = -1",
                    "key 'restSeconds': -1 is out of range 0..86400; the default handler keeps its settings"},
                {"io.switchboard.policy.maglev.cfg", "hashKey = header:", "key 'hashKey': 'header:' is not client, "},
            };
            for (String[] c : cases) { // all at once: they settle together
                write(conf.resolve(c[0]), c[1] + "\n");
            }
            for (String[] c : cases) {
                rt.awaitOutput("config rejected: conf/" + c[0] + ": " + c[2]);
            }
            try (RawHttpClient c = new RawHttpClient(rt.demoPort)) {
                RawHttpClient.Response r = c.get("/");
                assertEquals(200, r.status);
                assertEquals("1.1 before", r.header("via"), "the rejected file's good value is not applied either");
            }
        }
    }

    private static void assertClosed(int port) {
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(), "port " + port + " open");
    }

    private static String liveFrontend(int port, String via) {
        return "address = 127.0.0.1\nport = " + port + "\ncluster = live\n" + (via == null ? "" : "via = " + via + "\n");
    }

    private static String endpoint(HttpBackend b) {
        return "{ \"endpoints\": \"" + b.name() + "=127.0.0.1:" + b.port() + "\" }\n";
    }

    /** Waits until the port's responses come from that back-end alone (a few in a row). */
    private static void awaitServedBy(int port, HttpBackend b) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String last = null;
        int inARow = 0;
        while (System.nanoTime() < deadline) {
            try (RawHttpClient c = new RawHttpClient(port)) {
                last = c.get("/").body.trim();
            }
            inARow = last.equals(b.name() + " /") ? inARow + 1 : 0;
            if (inARow == 3) {
                return;
            }
            Thread.sleep(50);
        }
        assertEquals(b.name() + " /", last);
    }

}
