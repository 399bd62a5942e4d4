package io.switchboard.agent.impl;

/**
 * The host's memory from {@code /proc/meminfo}, in bytes; a figure the kernel does not give is null
 * ({@code MemAvailable} exists since Linux 3.14).
 */
record Memory(Long totalBytes, Long availableBytes) {

    static Memory parse(String procMeminfo) {
        Long total = null;
        Long available = null;
        for (String line : procMeminfo.split("\n")) {
            // "MemAvailable:   12345678 kB"
            String[] f = line.trim().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            if (f[0].equals("MemTotal:")) {
                total = bytes(f);
            } else if (f[0].equals("MemAvailable:")) {
                available = bytes(f);
            }
        }
        return new Memory(total, available);
    }

    private static Long bytes(String[] f) {
        try {
            long n = Long.parseLong(f[1]);
            // The kernel writes "kB" and means KiB.
            return f.length > 2 && f[2].equalsIgnoreCase("kB") ? n * 1024 : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
