package dev.vellum.ops;

import dev.vellum.Database;
import dev.vellum.Json;
import dev.vellum.Row;
import dev.vellum.TransferException;
import dev.vellum.VellumJson;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Copies the application's own tables (those its migrations made) between SQL databases: parents before children
 * (foreign-key order), each value converted to the target column's type, each table in one transaction, then
 * counts and an order-independent checksum compared. The target's tables must exist: its own dialect's migrations
 * create them when the store opens.
 */
final class TableCopy {

    /** A column of the target table: its name and JDBC type. */
    private record Column(String name, int type, String typeName) {}

    private final Database source;
    private final Database target;

    TableCopy(Database source, Database target) {
        this.source = source;
        this.target = target;
    }

    /** The application's tables of the source: every table but Vellum's own, in foreign-key order. */
    List<String> applicationTables(List<String> only) {
        Map<String, Set<String>> parents = metadata(source, meta -> {
            Map<String, Set<String>> graph = new LinkedHashMap<>();
            String schema = meta.getConnection().getSchema();
            try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    String name = rs.getString("TABLE_NAME");
                    if (!isVellumTable(name)) {
                        graph.put(name, new LinkedHashSet<>());
                    }
                }
            }
            for (String table : graph.keySet()) {
                try (ResultSet rs = meta.getImportedKeys(null, schema, table)) {
                    while (rs.next()) {
                        String parent = rs.getString("PKTABLE_NAME");
                        if (!parent.equals(table) && graph.containsKey(parent)) {
                            graph.get(table).add(parent);
                        }
                    }
                }
            }
            return graph;
        });
        if (only != null) {
            for (String name : only) {
                if (!parents.containsKey(name)) {
                    throw new TransferException("The source has no application table '" + name + "'");
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        ArrayDeque<String> ready = new ArrayDeque<>();
        Map<String, Set<String>> waiting = new LinkedHashMap<>();
        parents.forEach((t, p) -> waiting.put(t, new LinkedHashSet<>(p)));
        waiting.forEach((t, p) -> {
            if (p.isEmpty()) {
                ready.add(t);
            }
        });
        while (!ready.isEmpty()) {
            String t = ready.poll();
            ordered.add(t);
            waiting.remove(t);
            waiting.forEach((child, p) -> {
                if (p.remove(t) && p.isEmpty()) {
                    ready.add(child);
                }
            });
        }
        if (!waiting.isEmpty()) {
            throw new TransferException("The tables " + waiting.keySet() + " refer to each other in a cycle of foreign "
                    + "keys, so no order copies them; copy them with your own SQL");
        }
        return only == null ? ordered : ordered.stream().filter(only::contains).toList();
    }

    private boolean isVellumTable(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.startsWith("vellum_")
                || n.startsWith("vc_")
                || n.startsWith("vt_")
                || n.equals("flyway_schema_history")
                || source.dialect().isInternalTable(name);
    }

    /** Whether the target has the table (its migrations made it). */
    boolean targetHas(String table) {
        return metadata(target, meta -> {
            try (ResultSet rs = meta.getTables(null, meta.getConnection().getSchema(), table, new String[] {"TABLE"})) {
                return rs.next();
            }
        });
    }

    long count(Database db, String table) {
        return db.fetchOne("SELECT COUNT(*) AS n FROM " + db.dialect().quote(table))
                .orElseThrow()
                .getLong("n");
    }

    /** Empties the target's tables, children first. */
    void clear(List<String> tablesInOrder) {
        target.useTransaction(tx -> {
            for (int i = tablesInOrder.size() - 1; i >= 0; i--) {
                tx.execute("DELETE FROM " + target.dialect().quote(tablesInOrder.get(i)));
            }
        });
    }

    /** Copies one table in one transaction; with {@code skipExisting}, rows whose keys exist are left alone. */
    long copy(String table, boolean skipExisting) {
        List<Column> columns = columns(table);
        List<String> names = columns.stream().map(Column::name).toList();
        long copied;
        try (Stream<Row> rows =
                source.stream("SELECT * FROM " + source.dialect().quote(table))) {
            Iterator<Object[]> values = rows.map(row -> {
                        Object[] converted = new Object[columns.size()];
                        for (int i = 0; i < columns.size(); i++) {
                            Column c = columns.get(i);
                            converted[i] = convert(value(row, c.name()), c, table);
                        }
                        return converted;
                    })
                    .iterator();
            if (skipExisting) {
                // rows whose keys exist stay as they are: an insert that ignores conflicts, row by row in batches
                copied = target.executeMany(target.dialect().insertIgnore(table, names), () -> values);
            } else {
                // the bulk path (COPY on PostgreSQL, batched inserts on SQLite), one transaction per table
                copied = target.copyRows(table, names, values);
            }
        }
        // after explicit ids went into serial or identity columns, their sequences continue after the largest
        target.dialect().continueSequencesSql(table).ifPresent(target::execute);
        return copied;
    }

    /** Count and order-independent checksum of a table, every value seen through the target column's type. */
    long[] digest(Database db, String table) {
        List<Column> columns = columns(table);
        long count = 0;
        long sum = 0;
        try (Stream<Row> rows = db.stream("SELECT * FROM " + db.dialect().quote(table))) {
            for (Iterator<Row> it = rows.iterator(); it.hasNext(); ) {
                Row row = it.next();
                StringBuilder text = new StringBuilder();
                for (Column c : columns) {
                    text.append(c.name())
                            .append('=')
                            .append(canonical(convert(value(row, c.name()), c, table)))
                            .append('\u0001');
                }
                count++;
                sum += Transfer.hash(text.toString());
            }
        }
        return new long[] {count, sum};
    }

    private List<Column> columns(String table) {
        List<Column> columns = metadata(target, meta -> {
            List<Column> list = new ArrayList<>();
            try (ResultSet rs = meta.getColumns(null, meta.getConnection().getSchema(), table, "%")) {
                while (rs.next()) {
                    list.add(new Column(
                            rs.getString("COLUMN_NAME"),
                            rs.getInt("DATA_TYPE"),
                            rs.getString("TYPE_NAME").toLowerCase(Locale.ROOT)));
                }
            }
            return list;
        });
        if (columns.isEmpty()) {
            throw new TransferException("The target has no table '" + table + "'. Its schema comes from your "
                    + "migrations: set VELLUM_MIGRATIONS (with a folder for the target's dialect) so they create it");
        }
        return columns;
    }

    private static Object value(Row row, String column) {
        for (String name : row.columns()) {
            if (name.equalsIgnoreCase(column)) {
                return row.get(name);
            }
        }
        return null;
    }

    /** The source's value as the target column wants it. */
    private static Object convert(Object v, Column c, String table) {
        if (v == null) {
            return null;
        }
        try {
            // by name first: types JDBC reports loosely (JSON and UUID types as "other"; declared names where a
            // boolean is stored as a number and a timestamp as text)
            String name = c.typeName();
            if (name.startsWith("bool")) {
                return bool(v);
            }
            if (name.startsWith("json")) {
                // compact, as parsed: some databases print binary JSON with spaces, others keep what they were given
                String text = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
                return Json.of(VellumJson.write(VellumJson.parse(text)));
            }
            if (name.equals("uuid")) {
                return v instanceof UUID ? v : UUID.fromString(v.toString().trim());
            }
            if (name.startsWith("timestamp") || name.equals("datetime")) {
                return instant(v);
            }
            return switch (c.type()) {
                case Types.BOOLEAN, Types.BIT -> bool(v);
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT ->
                    v instanceof Number n
                            ? (Object) new BigDecimal(n.toString()).longValueExact()
                            : Long.parseLong(v.toString().trim());
                case Types.REAL, Types.FLOAT, Types.DOUBLE ->
                    v instanceof Number n
                            ? n.doubleValue()
                            : Double.parseDouble(v.toString().trim());
                case Types.NUMERIC, Types.DECIMAL -> new BigDecimal(v.toString().trim());
                case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> instant(v);
                case Types.DATE ->
                    v instanceof LocalDate
                            ? v
                            : LocalDate.parse(v.toString().trim().substring(0, 10));
                default -> v instanceof Instant instant ? VellumJson.formatInstant(instant) : v;
            };
        } catch (RuntimeException e) {
            throw new TransferException("Table '" + table + "', column '" + c.name() + "': the value '" + v + "' does "
                    + "not fit the target's type " + c.typeName() + " (" + e.getMessage() + ")");
        }
    }

    private static Boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.longValue() != 0;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        return s.equals("true") || s.equals("t") || s.equals("1") || s.equals("yes");
    }

    private static Instant instant(Object v) {
        if (v instanceof Instant i) {
            return i;
        }
        if (v instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (v instanceof java.util.Date d) {
            return d.toInstant();
        }
        String s = v.toString().trim();
        try {
            return VellumJson.parseInstant(s);
        } catch (RuntimeException e) {
            return java.time.LocalDateTime.parse(s.replace(' ', 'T')).toInstant(java.time.ZoneOffset.UTC);
        }
    }

    /** One spelling per value, whatever backend it came from. */
    private static String canonical(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number n) {
            return "n:" + new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        }
        if (v instanceof Instant i) {
            return "t:" + VellumJson.formatInstant(i);
        }
        if (v instanceof byte[] b) {
            return "x:" + HexFormat.of().formatHex(b);
        }
        if (v instanceof Json j) {
            return "j:" + VellumJson.canonical(VellumJson.parse(j.text()));
        }
        return v.getClass().getSimpleName().charAt(0) + ":" + v;
    }

    private interface MetadataWork<T> {
        T run(DatabaseMetaData meta) throws SQLException;
    }

    private static <T> T metadata(Database db, MetadataWork<T> work) {
        return db.withConnection(c -> work.run(c.getMetaData()));
    }
}
