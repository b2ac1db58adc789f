package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {
    @Test
    void stopsAtTheTokenizersEosAndEveryEosOfTheConfig() {
        assertThat(GenerateCommand.stopTokens(List.of(2), List.of(2))).containsExactly(2);
        assertThat(GenerateCommand.stopTokens(List.of(128001), List.of(128001, 128008, 128009))).containsExactly(128001, 128008, 128009);
        assertThat(GenerateCommand.stopTokens(List.of(5), List.of())).containsExactly(5);
    }
}
