package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password guessing at the sign-in form: the answer's timing tells nothing, and repeated failures lock a name or an address out. */
class SignInTest {
    @TempDir
    Path tmp;

    @Test
    void anUnknownNameTakesAsLongAsAWrongPassword() {
        try (RunDir run = RunDir.open(tmp.resolve("timing"))) {
            run.accounts.create("known", User.Role.LABELLER);
            run.accounts.login("known", "warm-up");
            run.accounts.login("unknown", "warm-up");
            int tries = 9;
            long[] known = new long[tries], unknown = new long[tries];
            for (int i = 0; i < tries; i++) {
                long start = System.nanoTime();
                assertThat(run.accounts.login("known", "wrong-" + i)).isNull();
                known[i] = System.nanoTime() - start;
                start = System.nanoTime();
                assertThat(run.accounts.login("nobody-" + i, "wrong-" + i)).isNull();
                unknown[i] = System.nanoTime() - start;
            }
            assertThat(median(unknown)).as("median ns for an unknown name, against %d ns for a wrong password", median(known))
                    .isGreaterThanOrEqualTo(median(known) / 2);
        }
    }

    private static long median(long[] xs) {
        long[] sorted = xs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    @Test
    void wrongPasswordsLockThatNameOutEvenForTheRightOne() {
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults())) {
            Client browser = new Client(f::url, null);
            for (int i = 1; i <= LoginThrottle.FREE_FAILURES_PER_NAME; i++) {
                assertThat(browser.postLogin("alice", "wrong-" + i).status()).as("attempt " + i).isEqualTo(401);
            }
            var locked = browser.postLogin("alice", f.alice.password());
            assertThat(locked.status()).isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L)).as("Retry-After").isPositive();
            assertThat(locked.body()).as("the form again, with the reason").contains("<form").contains("for &#39;alice&#39;").contains("try again in");
            assertThat(new Client(f::url, null).postLogin("bob", f.bob.password()).status()).as("another name from the same address").isEqualTo(303);
            assertThat(f.as(f.alice).get("/api/me").status()).as("an API key is not a password").isEqualTo(200);
        }
    }

    @Test
    void wrongPasswordsFromOneAddressLockThatAddressOutOnly() throws Exception {
        InetAddress second = InetAddress.getByName("127.0.0.2");
        assumeTrue(bindable(second), "127.0.0.2 is not a loopback address here (Linux has all of 127/8, macOS only 127.0.0.1)");
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults())) {
            Client elsewhere = new Client(f::url, null, second);
            for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_ADDRESS; i++) {
                assertThat(elsewhere.postLogin("guess" + i, "wrong").status()).as("attempt " + i).isEqualTo(401);
            }
            var locked = elsewhere.postLogin("bob", f.bob.password());
            assertThat(locked.status()).isEqualTo(429);
            assertThat(locked.body()).contains("from this address");
            assertThat(new Client(f::url, null).postLogin("bob", f.bob.password()).status()).as("from 127.0.0.1").isEqualTo(303);
        }
    }

    private static boolean bindable(InetAddress address) {
        try (var socket = new Socket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
