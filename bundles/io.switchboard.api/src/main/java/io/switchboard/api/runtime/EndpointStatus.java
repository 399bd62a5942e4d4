package io.switchboard.api.runtime;

import java.util.Objects;

/**
 * What the control side knows of one endpoint of one cluster besides its counters: whether an
 * operator drained it, what its active health check and its agent last said, and the weight the
 * cluster balances it with now. Immutable: one is made for each question.
 */
public final class EndpointStatus {
    /** Set by the operator ({@code sb:drain}, {@code sb:enable}). */
    public enum Admin { ENABLED, DRAINED }

    /** The active health check's verdict. */
    public enum Check { NONE, UP, DOWN }

    private final Admin admin;
    private final Check check;
    private final String checkDetail;
    private final String agentReport;
    private final long agentAgeMillis;
    private final long agentProblems;
    private final String agentProblem;
    private final int weight;
    private final boolean eligible;

    /**
     * @param checkDetail what the latest check saw, for people (null: no check yet)
     * @param agentReport the agent's latest good answer as it sent it (null: none, or stale)
     * @param agentAgeMillis how old that answer is (-1: none)
     * @param agentProblems answers ignored so far (garbage, too slow, cut short, refused)
     * @param agentProblem the latest such problem (null: none)
     * @param weight the weight balanced with now (the configured one, scaled by the agent's capacity)
     * @param eligible whether new work may go to the endpoint now (not drained, not down, weight above 0)
     */
    public EndpointStatus(Admin admin, Check check, String checkDetail, String agentReport, long agentAgeMillis,
                          long agentProblems, String agentProblem, int weight, boolean eligible) {
        this.admin = Objects.requireNonNull(admin);
        this.check = Objects.requireNonNull(check);
        this.checkDetail = checkDetail;
        this.agentReport = agentReport;
        this.agentAgeMillis = agentAgeMillis;
        this.agentProblems = agentProblems;
        this.agentProblem = agentProblem;
        this.weight = weight;
        this.eligible = eligible;
    }

    public Admin admin() { return admin; }
    public Check check() { return check; }
    public String checkDetail() { return checkDetail; }
    public String agentReport() { return agentReport; }
    public long agentAgeMillis() { return agentAgeMillis; }
    public long agentProblems() { return agentProblems; }
    public String agentProblem() { return agentProblem; }
    public int weight() { return weight; }
    public boolean eligible() { return eligible; }
}
