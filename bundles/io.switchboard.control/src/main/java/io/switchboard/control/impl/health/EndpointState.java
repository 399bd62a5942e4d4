package io.switchboard.control.impl.health;

import io.switchboard.api.runtime.EndpointStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the control side knows of one endpoint of one cluster: the operator's drain, the active
 * check's verdict with its run of results, and the agent's latest good answer. Written by the probe
 * thread of the endpoint and by the shell; read when a snapshot is published. Kept across snapshots;
 * handed to the next version of this bundle as plain values ({@link #values}), since its class is
 * this bundle's own.
 */
public final class EndpointState {
    private volatile boolean drained;
    private volatile EndpointStatus.Check check = EndpointStatus.Check.NONE;
    private volatile String checkDetail;
    /** Results in a row, probe thread only: successes while down count towards rise, failures while up towards fall. */
    private int run;

    private volatile AgentReport agent;
    /** Wall-clock time of {@link #agent}. */
    private volatile long agentAtMillis;
    /** The latest capacity and state words the agent sent: a line with only a percentage keeps the state, as in HAProxy. */
    private volatile int agentPercent = -1;
    private volatile AgentReport.State agentState = AgentReport.State.NONE;
    /** Whether the latest answer counted as fresh when last looked at, so that going stale is noticed once. */
    private volatile boolean agentCountedFresh;
    private final AtomicLong agentProblems = new AtomicLong();
    private volatile String agentProblem;

    /** When the endpoint came back (from down, drained, or newly added), while it ramps up; 0 when not ramping. */
    private volatile long returnedAtMillis;
    /** The factor the cluster's load distribution gave it last, in percent; -1 when none. */
    private volatile int distributed = -1;

    /** Failures up to this {@link System#nanoTime()} no longer count for passive health: a check or the operator brought it back. */
    private volatile long passiveClearedNanos;
    /** Passive ejection backoff: 1, 2, 4 or 8 times {@code failTimeoutSeconds}; control side only. */
    private volatile int ejectionBackoff = 1;
    /** When the current passive ejection ends (0: none seen); control side only. */
    private long ejectionEndsNanos;
    /** Ejected for its error rate until then (0: not). */
    private volatile long rateEjectedUntilNanos;
    /** Requests and failures at the previous error-rate look. */
    private long ratePreviousRequests;
    private long ratePreviousFailures;

    public boolean drainedByOperator() { return drained; }

    public void clearPassive(long nanos) {
        passiveClearedNanos = nanos;
        ejectionBackoff = 1;
        ejectionEndsNanos = 0;
        rateEjectedUntilNanos = 0;
    }

    public long passiveClearedNanos() { return passiveClearedNanos; }
    public int ejectionBackoff() { return ejectionBackoff; }
    public long rateEjectedUntilNanos() { return rateEjectedUntilNanos; }

    /**
     * One look of the outlier watch at the endpoint's counters (once a second, control side).
     * Backoff: an endpoint that fails again after its ejection ended is ejected twice as long (up to
     * 8 times); a success resets it. Error rate: at least {@code minRequests} since the last look,
     * and at least {@code ratePercent} of them failed, eject it for {@code failTimeout} (times the backoff).
     *
     * @return whether the snapshot must change (the backoff or a rate ejection changed)
     */
    public boolean watch(int failuresInARow, long lastFailureNanos, long requests, long failures, int maxFails,
                         long failTimeoutNanos, int ratePercent, int minRequests, long nowNanos) {
        boolean changed = false;
        boolean failing = maxFails > 0 && failuresInARow >= maxFails && lastFailureNanos > passiveClearedNanos;
        if (failuresInARow == 0 && ejectionBackoff > 1) {
            ejectionBackoff = 1;
            ejectionEndsNanos = 0;
            changed = true;
        } else if (failing) {
            if (ejectionEndsNanos != 0 && lastFailureNanos > ejectionEndsNanos && ejectionBackoff < 8) {
                ejectionBackoff *= 2; // it failed again after its ejection had ended
                changed = true;
            }
            ejectionEndsNanos = lastFailureNanos + failTimeoutNanos * ejectionBackoff;
        }
        long newRequests = requests - ratePreviousRequests;
        long newFailures = failures - ratePreviousFailures;
        ratePreviousRequests = requests;
        ratePreviousFailures = failures;
        if (ratePercent > 0 && newRequests >= minRequests && newFailures * 100 >= newRequests * (long) ratePercent
                && nowNanos >= rateEjectedUntilNanos) {
            rateEjectedUntilNanos = nowNanos + failTimeoutNanos * ejectionBackoff;
            changed = true;
        } else if (rateEjectedUntilNanos != 0 && nowNanos >= rateEjectedUntilNanos) {
            rateEjectedUntilNanos = 0;
            changed = true;
        }
        return changed;
    }

    /** The endpoint takes new work again: slow start ramps it from now. */
    public void returned(long nowMillis) {
        returnedAtMillis = nowMillis;
    }

    /**
     * The slow-start factor in percent: 10 when it has just come back, growing linearly to 100 at the
     * end of the window; 100 when it is not ramping.
     */
    public int rampPercent(long nowMillis, long slowStartMillis) {
        long since = returnedAtMillis;
        if (since == 0 || slowStartMillis <= 0) {
            return 100;
        }
        long elapsed = nowMillis - since;
        if (elapsed >= slowStartMillis || elapsed < 0) {
            returnedAtMillis = 0;
            return 100;
        }
        return (int) (10 + 90 * elapsed / slowStartMillis);
    }

    public boolean ramping() {
        return returnedAtMillis != 0;
    }

    public int distributed() {
        return distributed;
    }

    /** @return whether the factor changed */
    public boolean distributed(int percent) {
        int before = distributed;
        distributed = percent;
        return before != percent;
    }

    /** The agent's latest good answer, while fresh; null otherwise. */
    public AgentReport agentReport(long nowMillis, long staleMillis) {
        return agentFresh(nowMillis, staleMillis) ? agent : null;
    }

    public long agentAtMillis() {
        return agentAtMillis;
    }

    /** @return whether this changed anything */
    public boolean setDrained(boolean d) {
        boolean was = drained;
        drained = d;
        return was != d;
    }

    public EndpointStatus.Check check() { return check; }

    /** Checks are configured (again): the endpoint starts up, as in HAProxy, and must fail {@code fall} times to go down. */
    void startChecks() {
        if (check == EndpointStatus.Check.NONE) {
            check = EndpointStatus.Check.UP;
            run = 0;
        }
    }

    void stopChecks() {
        check = EndpointStatus.Check.NONE;
        checkDetail = null;
        run = 0;
    }

    /**
     * One check result. Up goes down after {@code fall} failures in a row, down comes up after
     * {@code rise} successes in a row: one lost probe does not flap an endpoint.
     *
     * @return the new verdict when it changed, else null
     */
    EndpointStatus.Check checked(boolean ok, String detail, int rise, int fall) {
        checkDetail = detail;
        EndpointStatus.Check now = check;
        if (now == EndpointStatus.Check.NONE) {
            return null;
        }
        boolean up = now == EndpointStatus.Check.UP;
        if (ok == up) {
            run = 0;
            return null;
        }
        run++;
        if (run >= (up ? fall : rise)) {
            run = 0;
            check = up ? EndpointStatus.Check.DOWN : EndpointStatus.Check.UP;
            return check;
        }
        return null;
    }

    /** @return whether the answer changes how the endpoint is balanced */
    boolean agentAnswered(AgentReport r, long nowMillis, long staleMillis) {
        boolean wasFresh = agentFresh(nowMillis, staleMillis);
        int percentBefore = agentPercent;
        AgentReport.State stateBefore = agentState;
        agent = r;
        agentAtMillis = nowMillis;
        agentCountedFresh = true;
        if (r.percent() >= 0) {
            agentPercent = r.percent();
        }
        if (r.state() != AgentReport.State.NONE) {
            agentState = r.state();
        }
        return !wasFresh || percentBefore != agentPercent || stateBefore != agentState;
    }

    /** An answer that was ignored: garbage, too slow, cut short, or no agent listening. */
    void agentFailed(String problem) {
        agentProblems.incrementAndGet();
        agentProblem = problem;
    }

    /** @return true once when the latest good answer has become too old to count */
    boolean agentWentStale(long nowMillis, long staleMillis) {
        if (agentCountedFresh && !agentFresh(nowMillis, staleMillis)) {
            agentCountedFresh = false;
            return true;
        }
        return false;
    }

    public boolean agentFresh(long nowMillis, long staleMillis) {
        return agent != null && nowMillis - agentAtMillis <= staleMillis;
    }

    /** Capacity the agent reports, 0..100; -1 when it reports none or its answer is stale. */
    public int agentPercent(long nowMillis, long staleMillis) {
        return agentFresh(nowMillis, staleMillis) ? agentPercent : -1;
    }

    /** Whether new work must not go to the endpoint: drained by the operator, or by its agent ({@code drain}, {@code maint}). */
    public boolean drained(long nowMillis, long staleMillis) {
        if (drained) {
            return true;
        }
        AgentReport.State s = agentState;
        return (s == AgentReport.State.DRAIN || s == AgentReport.State.MAINT) && agentFresh(nowMillis, staleMillis);
    }

    /** Whether the active check or the agent ({@code down}) says the endpoint is down. */
    public boolean healthDown(long nowMillis, long staleMillis) {
        return check == EndpointStatus.Check.DOWN || agentState == AgentReport.State.DOWN && agentFresh(nowMillis, staleMillis);
    }

    /**
     * The status as a snapshot saw it: the drain and check verdict it was published with (which
     * decided its routing), with what the checks and agent saw latest.
     */
    public EndpointStatus status(boolean drainedThen, EndpointStatus.Check checkThen, int weight, boolean eligible, long nowMillis, long staleMillis) {
        AgentReport a = agent;
        boolean fresh = agentFresh(nowMillis, staleMillis);
        return new EndpointStatus(drainedThen ? EndpointStatus.Admin.DRAINED : EndpointStatus.Admin.ENABLED, checkThen, checkDetail,
                fresh ? a.line() : null, a == null ? -1 : nowMillis - agentAtMillis, agentProblems.get(), agentProblem, weight, eligible);
    }

    /** The status now. */
    public EndpointStatus status(int weight, boolean eligible, long nowMillis, long staleMillis) {
        return status(drained, check, weight, eligible, nowMillis, staleMillis);
    }

    /** The state as plain values, for the next version of this bundle. */
    public Map<String, Object> values() {
        Map<String, Object> v = new HashMap<>();
        v.put("drained", drained);
        v.put("check", check.name());
        v.put("checkDetail", checkDetail);
        AgentReport a = agent;
        if (a != null) {
            v.put("agentLine", a.line());
            v.put("agentAtMillis", agentAtMillis);
            v.put("agentPercent", agentPercent);
            v.put("agentState", agentState.name());
        }
        v.put("agentProblems", agentProblems.get());
        v.put("agentProblem", agentProblem);
        v.put("returnedAtMillis", returnedAtMillis);
        v.put("distributed", distributed);
        return v;
    }

    /** A state from the values an earlier version of this bundle left; anything it cannot read is left at its default. */
    public static EndpointState fromValues(Map<String, Object> v) {
        EndpointState s = new EndpointState();
        try {
            s.drained = Boolean.TRUE.equals(v.get("drained"));
            s.check = EndpointStatus.Check.valueOf(String.valueOf(v.getOrDefault("check", "NONE")));
            s.checkDetail = (String) v.get("checkDetail");
            s.agentProblems.set(((Number) v.getOrDefault("agentProblems", 0L)).longValue());
            s.agentProblem = (String) v.get("agentProblem");
            if (v.get("agentLine") instanceof String) {
                s.agentPercent = ((Number) v.get("agentPercent")).intValue();
                s.agentState = AgentReport.State.valueOf((String) v.get("agentState"));
                s.agentAtMillis = ((Number) v.get("agentAtMillis")).longValue();
                s.agent = AgentReport.parse((String) v.get("agentLine"));
                s.agentCountedFresh = true;
            }
            if (v.get("returnedAtMillis") instanceof Number) {
                s.returnedAtMillis = ((Number) v.get("returnedAtMillis")).longValue();
            }
            if (v.get("distributed") instanceof Number) {
                s.distributed = ((Number) v.get("distributed")).intValue();
            }
        } catch (RuntimeException e) {
            // a value of another shape: what was read so far stays, the rest starts afresh
        }
        return s;
    }
}
