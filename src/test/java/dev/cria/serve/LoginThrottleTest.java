package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The lock-out schedule, on a clock the test moves: five free failures, then 30 s, doubling, at most 15 minutes. */
class LoginThrottleTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final LoginThrottle throttle = new LoginThrottle(() -> now);

    private void fail(String name, String address, int times) {
        for (int i = 0; i < times; i++) {
            throttle.check(name, address);
            throttle.failed(name, address);
        }
    }

    private boolean locked(String name, String address) {
        try {
            throttle.check(name, address);
            return false;
        } catch (ApiError e) {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("rate_limited");
            return true;
        }
    }

    private void advance(Duration d) {
        now = now.plus(d);
    }

    @Test
    void fiveFailuresAreFreeThenTheDelayDoublesUpToItsCap() {
        fail("ana", "10.0.0.1", 4);
        assertThat(locked("ana", "10.0.0.1")).isFalse();
        fail("ana", "10.0.0.1", 1);
        assertThat(locked("ana", "10.0.0.1")).as("after the fifth failure").isTrue();
        advance(Duration.ofSeconds(29));
        assertThat(locked("ana", "10.0.0.1")).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(locked("ana", "10.0.0.1")).as("30 s later").isFalse();
        long[] expectedSeconds = {60, 120, 240, 480, 900, 900};
        for (long seconds : expectedSeconds) {
            fail("ana", "10.0.0.1", 1);
            advance(Duration.ofSeconds(seconds - 1));
            assertThat(locked("ana", "10.0.0.1")).as("%d s lock, 1 s before its end", seconds).isTrue();
            advance(Duration.ofSeconds(1));
            assertThat(locked("ana", "10.0.0.1")).as("%d s lock, at its end", seconds).isFalse();
        }
    }

    @Test
    void theRefusalSaysHowLongToWait() {
        fail("ana", "10.0.0.1", 5);
        advance(Duration.ofMillis(10_500));
        assertThatThrownBy(() -> throttle.check("ana", "10.0.0.1")).hasMessageContaining("'ana'").hasMessageContaining("try again in 20 s");
    }

    @Test
    void successClearsTheNameAndOtherNamesAreUnaffected() {
        fail("ana", "10.0.0.1", 4);
        throttle.succeeded("ana");
        fail("ana", "10.0.0.1", 4);
        assertThat(locked("ana", "10.0.0.1")).as("the count started again").isFalse();
        fail("ana", "10.0.0.1", 1);
        assertThat(locked("ana", "10.0.0.1")).isTrue();
        assertThat(locked("ben", "10.0.0.2")).isFalse();
    }

    @Test
    void anAddressIsLockedOutAfterItsOwnAllowanceAcrossNames() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_ADDRESS; i++) fail("name" + i, "10.0.0.9", 1);
        assertThat(locked("someone", "10.0.0.9")).isTrue();
        assertThat(locked("someone", "10.0.0.8")).isFalse();
        throttle.succeeded("someone");
        assertThat(locked("someone", "10.0.0.9")).as("a success clears only its name, not the address").isTrue();
    }

    @Test
    void oldFailuresAreForgotten() {
        fail("ana", "10.0.0.1", 4);
        advance(LoginThrottle.FORGET_AFTER.plusSeconds(1));
        fail("ana", "10.0.0.1", 4);
        assertThat(locked("ana", "10.0.0.1")).isFalse();
    }
}
