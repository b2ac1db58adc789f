package dev.cria.align;

/** One prompt + completion as tokens, judged good ({@code desirable}, a thumbs up) or bad: KTO's unit of data. */
public record LabelledExample(TokenizedExample example, boolean desirable) {
    public LabelledExample {
        if (example == null) throw new IllegalArgumentException("example is null");
    }
}
