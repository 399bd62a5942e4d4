package io.switchboard.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/** Updates of the platform's bundles, checked, reported and rolled back when they fail. */
@ProviderType
public interface PlatformUpdates {
    /**
     * Updates a bundle and reports what happened: the versions, how long it took, the connections
     * that drained on the old code and how long that took.
     *
     * @param bundle a bundle's symbolic name or id
     * @param url    where the new version is, or null for where the bundle came from (a built-in
     *               bundle is read again from the runtime jar)
     * @return the report, one fact per line
     * @throws IllegalArgumentException when there is no such bundle, or the new version cannot be
     *                                  read or would not resolve: nothing was changed
     * @throws IllegalStateException    when the new version failed to start: the old one was put back
     */
    String update(String bundle, String url);

    /**
     * Bundle updates since the platform started, by bundle symbolic name, then by result:
     * {@code started} (the new version runs), {@code rolled_back} (it failed; the previous one is back),
     * {@code failed} (it failed, and there was nothing to go back to or going back failed too).
     */
    default java.util.Map<String, java.util.Map<String, Long>> updateCounts() {
        return java.util.Map.of();
    }
}
