package io.switchboard.control.impl.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Files refused because another file holds what they define (a cluster, route or frontend name, a
 * port). A refused file is not applied by itself when the holder goes away: nothing takes over a
 * name unasked, and the two files may disagree. It waits until it is changed or touched. What is
 * kept here lets the holder's removal say so in the log.
 */
@Component(service = Refusals.class)
public class Refusals {

    /** What a file was refused, and which file holds it. */
    private static final class Refusal {
        final String what;
        final String holder;

        Refusal(String what, String holder) {
            this.what = what;
            this.holder = holder;
        }
    }

    private final Map<String, Refusal> bySource = new HashMap<>();

    /** The file was refused {@code what} (e.g. "cluster api") because {@code holder} defines it. */
    public synchronized void refused(String source, String what, String holder) {
        bySource.put(source, new Refusal(what, holder));
    }

    /** The file was applied, or went away: it waits for nothing. */
    public synchronized void cleared(String source) {
        bySource.remove(source);
    }

    /**
     * The holder lets go of {@code what}: the files refused it, told in one sentence (null when there
     * are none), and forgotten from here on.
     */
    public synchronized String released(String holder, String what) {
        List<String> waiting = new ArrayList<>();
        for (Iterator<Map.Entry<String, Refusal>> it = bySource.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Refusal> e = it.next();
            if (e.getValue().holder.equals(holder) && e.getValue().what.equals(what)) {
                waiting.add(e.getKey());
                it.remove();
            }
        }
        if (waiting.isEmpty()) {
            return null;
        }
        waiting.sort(null);
        return String.join(", ", waiting) + (waiting.size() == 1 ? " was" : " were") + " refused " + what + " while " + holder
                + " held it, and " + (waiting.size() == 1 ? "stays" : "stay") + " rejected until changed or touched";
    }
}
