package io.switchboard.agent.impl;

/** Takes one {@link Sample}; used by the sampling thread only (its meters keep the previous readings). */
final class Sampler {
    private final HostProbe host;
    private final int servicePort;
    private final TrafficSource traffic;
    private final CpuMeter cpu = new CpuMeter();

    /** @param traffic null when neither an access log nor a status URL is configured */
    Sampler(HostProbe host, int servicePort, TrafficSource traffic) {
        this.host = host;
        this.servicePort = servicePort;
        this.traffic = traffic;
    }

    Sample sample(long nowNanos, long nowMillis) {
        CpuTimes times = host.cpuTimes();
        Double cpuPercent = times == null ? null : cpu.percentSince(times);
        Memory mem = host.memory();
        Traffic t = traffic == null ? null : traffic.sample(nowNanos);
        return new Sample(host.clients(servicePort), cpuPercent, mem.totalBytes(), mem.availableBytes(),
                t == null ? null : t.requestsPerSecond(), t == null ? null : t.averageExecutionMillis(), nowMillis);
    }
}
