package dev.cria.serve;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing at the sign-in form. Failed sign-ins are counted by user name and by client
 * address. Past a free allowance, each further failure locks that name (or address) out for a delay
 * that starts at {@link #FIRST_LOCK} and doubles, up to {@link #MAX_LOCK}; while locked, even the right
 * password is refused with 429. A success clears its name's count; an address's count is only
 * forgotten with time, so signing in to one's own account does not reset guessing at others.
 *
 * <p>An address gets a larger allowance than a name: several people may share one. Kept in memory, per
 * server: a restart forgets it. API keys are not throttled; they carry 256 random bits.
 */
final class LoginThrottle {
    static final int FREE_FAILURES_PER_NAME = 5;
    static final int FREE_FAILURES_PER_ADDRESS = 20;
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    /** Failures stop counting this long after the last one. */
    static final Duration FORGET_AFTER = Duration.ofHours(1);
    /** Names and addresses remembered, each; the least recently seen are dropped first. */
    private static final int MAX_TRACKED = 10_000;

    /** Failures of one name or address, and the end of its current lock. */
    private static final class Failures {
        int count;
        Instant last = Instant.MIN;
        Instant lockedUntil = Instant.MIN;
    }

    private final InstantSource clock;
    private final Map<String, Failures> names = tracked(), addresses = tracked();

    LoginThrottle(InstantSource clock) {
        this.clock = clock;
    }

    private static Map<String, Failures> tracked() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > MAX_TRACKED;
            }
        };
    }

    /** Refuses with 429 while the name or the address is locked out. */
    synchronized void check(String name, String address) {
        Instant now = clock.instant();
        Failures byName = names.get(name), byAddress = addresses.get(address);
        if (byName != null && now.isBefore(byName.lockedUntil)) {
            throw refusal("too many failed sign-ins for '" + name + "'", now, byName.lockedUntil);
        }
        if (byAddress != null && now.isBefore(byAddress.lockedUntil)) {
            throw refusal("too many failed sign-ins from this address", now, byAddress.lockedUntil);
        }
    }

    private static ApiError refusal(String what, Instant now, Instant until) {
        long seconds = (Duration.between(now, until).toMillis() + 999) / 1000;
        return new ApiError(429, null, what + "; try again in " + seconds + " s", "rate_limited").retryAfter(seconds);
    }

    synchronized void failed(String name, String address) {
        Instant now = clock.instant();
        count(names.computeIfAbsent(name, k -> new Failures()), FREE_FAILURES_PER_NAME, now);
        count(addresses.computeIfAbsent(address, k -> new Failures()), FREE_FAILURES_PER_ADDRESS, now);
    }

    /** Failure n, from the allowance's last on (n >= free), locks for FIRST_LOCK · 2^(n − free), at most MAX_LOCK. */
    private static void count(Failures f, int free, Instant now) {
        if (Duration.between(f.last, now).compareTo(FORGET_AFTER) > 0) f.count = 0;
        f.count++;
        f.last = now;
        if (f.count < free) return;
        int doublings = Math.min(f.count - free, 30);
        Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
        f.lockedUntil = now.plus(lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock);
    }

    synchronized void succeeded(String name) {
        names.remove(name);
    }
}
