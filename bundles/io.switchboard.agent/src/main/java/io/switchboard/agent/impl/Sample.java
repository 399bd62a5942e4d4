package io.switchboard.agent.impl;

/**
 * One sample of the host and the watched service. A null figure could not be read and is left out
 * of every answer.
 */
record Sample(Integer clients, Double cpuPercent, Long memoryTotalBytes, Long memoryAvailableBytes,
              Double requestsPerSecond, Double averageExecutionMillis, long sampledAtMillis) {
}
