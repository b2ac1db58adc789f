package dev.cria.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Times BPE training and encoding. Not a test (surefire skips it); run by hand:
 * {@code java -cp target/classes:target/test-classes:<jackson jars> dev.cria.tokenizer.BpeTrainingBenchmark
 * [text file] [vocab sizes...]}. Without a file it uses 8 MB of {@link StoryText}. Texts are the file's
 * blank-line-separated paragraphs.
 */
final class BpeTrainingBenchmark {
    private BpeTrainingBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<String> texts = args.length > 0
                ? Arrays.asList(new String(Files.readAllBytes(Path.of(args[0])), StandardCharsets.UTF_8).split("\n\n"))
                : StoryText.stories(16_000, 1);
        long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("%d texts, %.1f MB%n", texts.size(), bytes / 1e6);
        int[] vocabs = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {512, 4096};
        for (int vocab : vocabs) {
            long t0 = System.nanoTime();
            BpeTokenizer tokenizer = BpeTokenizer.train(texts, vocab);
            long t1 = System.nanoTime();
            long tokens = 0;
            for (String text : texts) tokens += tokenizer.encode(text).length;
            long t2 = System.nanoTime();
            System.out.printf("vocab %5d: train %.2f s, encode %.2f s (%.1f MB/s), %.2f bytes/token%n", vocab,
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, bytes / 1e6 / ((t2 - t1) / 1e9), (double) bytes / tokens);
        }
    }
}
