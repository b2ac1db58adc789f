import dev.cria.checkpoint.ModelDirectory;
import java.nio.file.Path;

/**
 * Times opening a model directory: ModelDirectory.load reads config.json, the tokenizer and every weight
 * (widened to float32). A measuring aid for docs/formats.md, run from source, not part of the build:
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp target/cria.jar scripts/OpenTime.java DIR
 */
public class OpenTime {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        var loaded = ModelDirectory.load(Path.of(args[0]));
        long t1 = System.nanoTime();
        System.out.printf("open: %.2f s (%s)%n", (t1 - t0) / 1e9, loaded.model().config());
    }
}
