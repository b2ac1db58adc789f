package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cria's OpenAI-compatible API driven by the official OpenAI Java SDK, over a real socket: if the SDK can
 * parse every reply and chunk, so can the clients built on it.
 */
class OpenAiSdkTest {
    @TempDir
    static Path tmp;
    static ServeFixture f;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults());
        client = OpenAIOkHttpClient.builder().baseUrl(f.url() + "/v1").apiKey(f.alice.apiKey()).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        f.close();
    }

    private static ChatCompletionCreateParams.Builder chat(String content) {
        return ChatCompletionCreateParams.builder().model("policy").addUserMessage(content).maxCompletionTokens(16);
    }

    private static CompletionCreateParams.Builder completion(String prompt) {
        return CompletionCreateParams.builder().model("policy").prompt(prompt).maxTokens(12);
    }

    private static String text(ChatCompletion c) {
        return c.choices().getFirst().message().content().orElseThrow();
    }

    @Test
    void listsAndRetrievesModels() {
        assertThat(client.models().list().data()).extracting(Model::id).contains("policy", "base");
        Model base = client.models().retrieve("base");
        assertThat(base.id()).isEqualTo("base");
        assertThat(base.ownedBy()).isEqualTo("cria");
        var missing = catchThrowableOfType(NotFoundException.class, () -> client.models().retrieve("gpt-9"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.code()).contains("model_not_found");
    }

    @Test
    @SuppressWarnings("deprecation")   // the SDK deprecates chat's seed, as OpenAI no longer promises it; Cria keeps it exact
    void chatsPlainAndStreamedAndTheSameSeedGivesTheSameText() {
        ChatCompletion plain = client.chat().completions().create(chat("Tell a story.").seed(42).build());
        assertThat(plain.model()).isEqualTo("policy");
        assertThat(plain.usage().orElseThrow().completionTokens()).isBetween(1L, 16L);
        assertThat(text(client.chat().completions().create(chat("Tell a story.").seed(42).build()))).isEqualTo(text(plain));

        var params = chat("Tell a story.").seed(42).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (var stream = client.chat().completions().createStreaming(params)) {
            chunks = stream.stream().toList();
        }
        var joined = new StringBuilder();
        for (var c : chunks) for (var choice : c.choices()) joined.append(choice.delta().content().orElse(""));
        assertThat(joined.toString()).isEqualTo(text(plain));
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isEqualTo(plain.usage().orElseThrow().completionTokens());
    }

    @Test
    void completesAndStopsAtAStopString() {
        Completion c = client.completions().create(completion("Once upon a time").seed(1).build());
        assertThat(c.choices().getFirst().text()).isNotNull();
        assertThat(c.model()).isEqualTo("policy");

        var p = OpenAiApiTest.pickStop(seed -> client.completions().create(completion("Once upon a time").maxTokens(40).seed(seed).build())
                .choices().getFirst().text());
        Completion cut = client.completions().create(completion("Once upon a time").maxTokens(40).seed(p.seed()).stop(p.stop()).build());
        assertThat(cut.choices().getFirst().text()).isEqualTo(p.text().substring(0, p.at()));
        assertThat(cut.choices().getFirst().finishReason().asString()).isEqualTo("stop");
    }

    @Test
    void givesLogprobsInBothShapes() {
        ChatCompletion c = client.chat().completions().create(chat("Tell a story.").logprobs(true).topLogprobs(2).temperature(0.0).build());
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) c.usage().orElseThrow().completionTokens());
        assertThat(content).allSatisfy(t -> {
            assertThat(t.topLogprobs()).hasSize(2);
            assertThat(t.logprob()).isEqualTo(t.topLogprobs().getFirst().logprob());
        });

        Completion legacy = client.completions().create(completion("Once upon a time").seed(3).logprobs(2).build());
        var lp = legacy.choices().getFirst().logprobs().orElseThrow();
        assertThat(lp.tokens().orElseThrow()).hasSize((int) legacy.usage().orElseThrow().completionTokens());
        assertThat(lp.tokenLogprobs().orElseThrow()).allSatisfy(x -> assertThat(x).isLessThanOrEqualTo(0.0));
        assertThat(lp.textOffset().orElseThrow().getFirst()).isZero();
    }

    @Test
    void refusalsReachTheSdkWithTheirParamAndCode() {
        var refused = catchThrowableOfType(BadRequestException.class, () -> client.chat().completions().create(chat("Hi.").n(2).build()));
        assertThat(refused.param()).contains("n");
        assertThat(refused.code()).contains("unsupported_parameter");
    }
}
