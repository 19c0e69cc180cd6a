package dev.vellum.testkit;

import dev.vellum.postgres.PostgresTarget;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** One statement on a test server, outside Vellum, on a connection of its own (CREATE DATABASE, pg_promote, …). */
final class AdminSql {
    private AdminSql() {}

    static Connection connect(PostgresTarget target) throws SQLException {
        Properties props = new Properties();
        if (!target.user().isEmpty()) {
            props.setProperty("user", target.user());
        }
        if (target.password() != null) {
            props.setProperty("password", target.password());
        }
        return DriverManager.getConnection(target.jdbcUrl(), props);
    }

    static void execute(PostgresTarget target, String sql) {
        try (Connection c = connect(target);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw refused(target, sql, e);
        }
    }

    /** The first column of the first row. */
    static String query(PostgresTarget target, String sql) {
        try (Connection c = connect(target);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        } catch (SQLException e) {
            throw refused(target, sql, e);
        }
    }

    private static IllegalStateException refused(PostgresTarget target, String sql, SQLException e) {
        return new IllegalStateException(
                "Test server " + target.describe() + " refused '" + sql + "': " + e.getMessage(), e);
    }
}
