import dev.cria.checkpoint.ModelDirectory;
import java.nio.file.Path;

/**
 * Times opening a model directory: ModelDirectory.load reads config.json, the tokenizer and every weight
 * (widened to float32); with --frozen, ModelDirectory.loadFrozen maps 16-bit weights instead, as the
 * commands that only run a model do. A measuring aid for docs/formats.md, run from source, not part of the build:
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp target/cria.jar scripts/OpenTime.java DIR [--frozen]
 */
public class OpenTime {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        boolean frozen = args.length > 1 && args[1].equals("--frozen");
        var loaded = frozen ? ModelDirectory.loadFrozen(Path.of(args[0])) : ModelDirectory.load(Path.of(args[0]));
        long t1 = System.nanoTime();
        System.out.printf("open: %.2f s (%s)%n", (t1 - t0) / 1e9, loaded.model().config());
    }
}
