package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What goes wrong inside the server stays there: the client gets an opaque id, the server's log the details. */
class InternalErrorTest {
    private static final Pattern OPAQUE = Pattern.compile("internal error (\\S+); the server's log has the details");

    @Test
    void aFailureInsideIsLoggedUnderAnIdAndAnsweredWithOnlyThatId(@TempDir Path tmp) throws Exception {
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults())) {
            // the base model vanishes after the server checked it: loading it now fails with its path
            Files.delete(f.run.baseModel().resolve("model.safetensors"));
            var log = new ByteArrayOutputStream();
            PrintStream err = System.err;
            System.setErr(new PrintStream(log, true));
            Client.Response r;
            try {
                r = f.as(f.alice).post("/v1/completions", Map.of("prompt", "Once", "max_tokens", 4));
            } finally {
                System.setErr(err);
            }
            assertThat(r.status()).isEqualTo(500);
            String message = r.json().get("error").get("message").asText();
            var id = OPAQUE.matcher(message);
            assertThat(id.matches()).as(message).isTrue();
            assertThat(r.body()).doesNotContain(tmp.toString()).doesNotContain("safetensors").doesNotContain("Exception");
            assertThat(r.json().get("error").get("code").asText()).isEqualTo("internal_error");
            assertThat(log.toString()).contains("error " + id.group(1)).contains("model.safetensors").contains("\tat ");
        }
    }
}
