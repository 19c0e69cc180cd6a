package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcDatabaseTest {
    @Test
    void onlyPlainReadsSkipTheWriterLock() {
        assertThat(JdbcDatabase.isWrite("SELECT 1")).isFalse();
        assertThat(JdbcDatabase.isWrite("  -- note\n /* c */ select * from t")).isFalse();
        assertThat(JdbcDatabase.isWrite("(SELECT 1) UNION (SELECT 2)")).isFalse();
        assertThat(JdbcDatabase.isWrite("EXPLAIN QUERY PLAN SELECT 1")).isFalse();
        assertThat(JdbcDatabase.isWrite("INSERT INTO t VALUES (1) RETURNING id"))
                .isTrue();
        assertThat(JdbcDatabase.isWrite("WITH x AS (SELECT 1) DELETE FROM t")).isTrue();
        assertThat(JdbcDatabase.isWrite("PRAGMA journal_mode=WAL")).isTrue();
        assertThat(JdbcDatabase.isWrite("")).isTrue();
    }
}
