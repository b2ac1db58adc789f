package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handing an item out claims it, so people labelling at the same moment are not all given the same item. */
class ClaimsTest {
    @Test
    void anItemHandedOutIsHeldForItsLabellerUntilTheClaimLapses(@TempDir Path tmp) {
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults(), new Sampling(24, 1f, 1f, 3), 1)) {
            long first = f.run.items.addPair("One?", "a", "b", "base", "base");
            long second = f.run.items.addPair("Two?", "a", "b", "base", "base");
            Client alice = f.as(f.alice), bob = f.as(f.bob);
            assertThat(alice.get("/api/next?kind=pair").json().get("item").get("id").asLong()).isEqualTo(first);
            assertThat(bob.get("/api/next?kind=pair").json().get("item").get("id").asLong()).as("alice holds the first").isEqualTo(second);
            assertThat(f.as(f.admin).get("/api/next?kind=pair").json().get("item").isNull()).as("both are held").isTrue();
            assertThat(alice.get("/api/next?kind=pair").json().get("item").get("id").asLong()).as("asking again keeps one's own claim")
                    .isEqualTo(first);
            assertThat(alice.post("/api/labels", Map.of("submission_id", "a1", "item_id", first, "choice", "a")).status()).isEqualTo(201);

            f.run.store.tx(db -> db.update("UPDATE claims SET expires_at = 0"));
            assertThat(f.as(f.admin).get("/api/next?kind=pair").json().get("item").get("id").asLong()).as("bob's claim lapsed").isEqualTo(second);
        }
    }
}
