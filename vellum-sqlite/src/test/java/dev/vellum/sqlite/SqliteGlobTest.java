package dev.vellum.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Like patterns as SQLite GLOB patterns: wildcards translated, GLOB's own characters quoted, escapes honoured. */
class SqliteGlobTest {

    @Test
    void likeBecomesACaseSensitiveGlobWithGlobCharactersQuoted() {
        assertThat(SqliteGlob.fromLike("a%b_c")).isEqualTo("a*b?c");
        assertThat(SqliteGlob.fromLike("*?[")).isEqualTo("[*][?][[]");
        assertThat(SqliteGlob.fromLike("50\\%\\_")).isEqualTo("50%_");
    }
}
