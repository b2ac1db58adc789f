package dev.cria.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The story templating: slots, articles, nesting, capitalisation and sentence counting. */
class TemplateTest {
    @Test
    void rendersSlotsArticlesAndNestedValues() {
        Map<String, String> slots = Map.of("name", "Tom", "his", "his", "color", "orange", "play", "kick {his} {color} ball");
        assertThat(Template.render("{name} has {a:color} ball.", slots)).isEqualTo("Tom has an orange ball.");
        assertThat(Template.render("{name} loved to {play}.", slots)).isEqualTo("Tom loved to kick his orange ball.");
    }

    @Test
    void aMissingSlotNamesItself() {
        assertThatThrownBy(() -> Template.render("{name} and {friend}", Map.of("name", "Tom")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("{friend}");
    }

    @Test
    void picksTheArticleByTheFirstLetter() {
        assertThat(Template.withArticle("owl")).isEqualTo("an owl");
        assertThat(Template.withArticle("cat")).isEqualTo("a cat");
        assertThat(Template.withArticle("Elephant")).isEqualTo("an Elephant");
    }

    @Test
    void capitalisesSentenceStartsButNotWordsAfterAQuote() {
        assertThat(Template.capitalizeSentences("he ran. she sat! why? \"oh no!\" said Tom. \"yes,\" said Sue."))
                .isEqualTo("He ran. She sat! Why? \"Oh no!\" said Tom. \"Yes,\" said Sue.");
    }

    @Test
    void countsSentencesNotQuotedExclamations() {
        // Tom ran. / "Oh no!" said Tom. / "Let's go!" / Sue ran. / The end.
        assertThat(Template.countSentences("Tom ran. \"Oh no!\" said Tom. \"Let's go!\" Sue ran. The end.")).isEqualTo(5);
        assertThat(Template.countSentences("One.")).isEqualTo(1);
        assertThat(Template.countSentences("")).isZero();
    }
}
