package io.switchboard.agent.impl;

/**
 * The host's cumulative CPU time, in jiffies, from the {@code cpu} line of {@code /proc/stat}.
 * Utilisation is only meaningful between two of these (see {@link CpuMeter}).
 *
 * @param idle  idle and iowait time (a CPU waiting for I/O could run other work)
 * @param total all time: user, nice, system, idle, iowait, irq, softirq, steal (guest time is
 *              already inside user and nice, so it is not added again)
 */
record CpuTimes(long idle, long total) {

    /** Parses the text of {@code /proc/stat}; throws {@link IllegalArgumentException} without a {@code cpu} line. */
    static CpuTimes parse(String procStat) {
        for (String line : procStat.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (!f[0].equals("cpu")) {
                continue;
            }
            if (f.length < 5) {
                throw new IllegalArgumentException("cpu line has " + (f.length - 1) + " fields, at least 4 expected");
            }
            long[] v = new long[8];
            for (int i = 0; i < v.length && i + 1 < f.length; i++) {
                v[i] = Long.parseLong(f[i + 1]);
            }
            long total = 0;
            for (long x : v) {
                total += x;
            }
            return new CpuTimes(v[3] + v[4], total);
        }
        throw new IllegalArgumentException("no cpu line");
    }
}
