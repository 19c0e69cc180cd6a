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

    /** Rows changed outside a transaction may get one of their own; schema changes and upkeep never do. */
    @Test
    void theFirstKeywordSaysWhatAStatementOfThePublicApiDoes() {
        assertThat(JdbcDatabase.Access.of("select 1")).isEqualTo(JdbcDatabase.Access.READ);
        assertThat(JdbcDatabase.Access.of("UPDATE t SET a = 1")).isEqualTo(JdbcDatabase.Access.WRITE);
        assertThat(JdbcDatabase.Access.of("WITH gone AS (DELETE FROM t RETURNING id) SELECT * FROM gone"))
                .isEqualTo(JdbcDatabase.Access.WRITE);
        assertThat(JdbcDatabase.Access.of("CREATE INDEX CONCURRENTLY i ON t (a)"))
                .isEqualTo(JdbcDatabase.Access.SCHEMA);
        assertThat(JdbcDatabase.Access.of("VACUUM")).isEqualTo(JdbcDatabase.Access.SCHEMA);
    }
}
