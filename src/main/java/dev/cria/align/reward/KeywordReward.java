package dev.cria.align.reward;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** 1 when the response mentions the keyword as a word (case-insensitive, plural "s" allowed), else 0. */
public record KeywordReward(String keyword) implements Reward {
    public KeywordReward {
        if (keyword == null || keyword.isBlank()) throw new dev.cria.util.CriaException("keyword reward needs a non-empty word");
    }

    private Pattern pattern() {
        return Pattern.compile("\\b" + Pattern.quote(keyword.toLowerCase(Locale.ROOT)) + "s?\\b");
    }

    public boolean mentions(String text) {
        return pattern().matcher(text.toLowerCase(Locale.ROOT)).find();
    }

    @Override
    public float[] score(List<Sample> samples) {
        Pattern p = pattern();
        float[] out = new float[samples.size()];
        for (int i = 0; i < out.length; i++) out[i] = p.matcher(samples.get(i).response().toLowerCase(Locale.ROOT)).find() ? 1f : 0f;
        return out;
    }

    @Override
    public String name() {
        return "keyword(" + keyword + ")";
    }
}
