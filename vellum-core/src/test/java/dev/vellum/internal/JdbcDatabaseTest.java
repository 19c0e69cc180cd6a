package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcDatabaseTest {
    @Test
    void onlyPlainReadsSkipTheWriterLock() {
        assertThat(JdbcDatabase.Access.of("SELECT 1").writes()).isFalse();
        assertThat(JdbcDatabase.Access.of("  -- note\n /* c */ select * from t").writes())
                .isFalse();
        assertThat(JdbcDatabase.Access.of("(SELECT 1) UNION (SELECT 2)").writes())
                .isFalse();
        assertThat(JdbcDatabase.Access.of("EXPLAIN QUERY PLAN SELECT 1").writes())
                .isFalse();
        assertThat(JdbcDatabase.Access.of("INSERT INTO t VALUES (1) RETURNING id")
                        .writes())
                .isTrue();
        assertThat(JdbcDatabase.Access.of("WITH x AS (SELECT 1) DELETE FROM t").writes())
                .isTrue();
        assertThat(JdbcDatabase.Access.of("PRAGMA journal_mode=WAL").writes()).isTrue();
        assertThat(JdbcDatabase.Access.of("").writes()).isTrue();
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
