package dev.vellum.internal;

import dev.vellum.Database;
import dev.vellum.spi.SqlEngine;

/** Core's {@link SqlEngine}: a {@link JdbcDatabase}. */
public final class JdbcSqlEngine implements SqlEngine {
    @Override
    public Database open(Opening opening) {
        return JdbcDatabase.open(opening);
    }
}
