package io.switchboard.agent.impl;

/**
 * What the watched service did since the previous sample.
 *
 * @param requestsPerSecond     requests completed per second
 * @param averageExecutionMillis their mean execution time, or null when the source does not tell it
 */
record Traffic(double requestsPerSecond, Double averageExecutionMillis) {
}
