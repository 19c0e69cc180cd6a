package dev.vellum.engine.sql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.SortKey;
import dev.vellum.engine.Semantics;
import dev.vellum.internal.Cursors;
import dev.vellum.internal.JsonValues;
import dev.vellum.spi.JsonType;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A collection's queries as SQL: the SELECT with its filter, the keyset cursor's condition, and the ORDER BY terms
 * (up to four per sort path, or one typed term when the filter guarantees the type, so an index can serve sort and
 * limit), with the sort-key values a cursor carries computed in Java exactly as those terms compute them.
 */
final class SqlQueries {
    private final SqlStore store;
    private final String table;
    /** The collection's WHERE condition for a filter. */
    private final Function<Filter, Sql> whereOf;

    SqlQueries(SqlStore store, String table, Function<Filter, Sql> where) {
        this.store = store;
        this.table = table;
        this.whereOf = where;
    }

    /** One ORDER BY term of a query: a sort-key component and its direction. */
    record OrderTerm(String sql, PathSql.SortExpression.Kind kind, boolean descending) {}

    /**
     * One page and one record more (to know whether a next page exists). Literal numbers (checked ints), so
     * PostgreSQL plans for the real limit rather than a generic one.
     */
    Sql pagedSelect(Query query, String columns) {
        String limit = " LIMIT " + (query.limit() + 1);
        return Sql.concat(
                select(query, columns, true), query.offset() == 0 ? limit : limit + " OFFSET " + query.offset());
    }

    /** The SELECT for a query: the columns, filter, cursor and order. */
    Sql select(Query query, String columns, boolean paged) {
        List<OrderTerm> terms = orderTerms(query);
        Sql where = whereOf.apply(query.filter());
        if (paged && query.cursor() != null) {
            where = Sql.concat(where, " AND ", after(terms, Cursors.decode(query, terms.size())));
        }
        StringBuilder order = new StringBuilder(" ORDER BY ");
        for (OrderTerm t : terms) {
            order.append(t.sql()).append(t.descending() ? " DESC, " : " ASC, ");
        }
        return Sql.concat(
                "SELECT " + columns + " FROM " + table + " WHERE ",
                where,
                order.append("id ASC").toString());
    }

    /**
     * Whether the first sort key can sort by one typed expression: when the filter guarantees the path holds one type
     * (say {@code age gte 30}: numbers), that key sorts by the expression an index on the path provides, so sort +
     * limit can read the index in order; the order is the same as the general one for such values.
     */
    private int typedRank(Query query) {
        if (query.sort().isEmpty()) {
            return 0;
        }
        SortKey first = query.sort().get(0);
        int rank = TypeFacts.guaranteedRank(query.filter(), first.path());
        return rank != 0
                        && store.filters
                                .path(first.path())
                                .typedSortKey(JsonType.ofRank(rank))
                                .isPresent()
                ? rank
                : 0;
    }

    List<OrderTerm> orderTerms(Query query) {
        List<OrderTerm> terms = new ArrayList<>();
        int typed = typedRank(query);
        for (int i = 0; i < query.sort().size(); i++) {
            SortKey key = query.sort().get(i);
            PathSql path = store.filters.path(key.path());
            List<PathSql.SortExpression> expressions = i == 0 && typed != 0
                    ? List.of(path.typedSortKey(JsonType.ofRank(typed)).orElseThrow())
                    : path.sortKeys();
            for (PathSql.SortExpression e : expressions) {
                terms.add(new OrderTerm(e.sql(), e.kind(), e.descendable() && key.descending()));
            }
        }
        return terms;
    }

    /**
     * The sort-key values of a record, computed in Java exactly as the ORDER BY terms compute them in SQL (the
     * memory backend's sort key, or the value itself for a typed key), for the cursor after it.
     */
    List<JsonNode> cursorKey(Record record, Query query) {
        List<JsonNode> key = new ArrayList<>();
        int typed = typedRank(query);
        for (int i = 0; i < query.sort().size(); i++) {
            SortKey sortKey = query.sort().get(i);
            if (i == 0 && typed != 0) {
                key.add(Semantics.value(record, sortKey.path()));
            } else {
                key.addAll(Semantics.sortKey(record, sortKey));
            }
        }
        return key;
    }

    /**
     * Rows strictly after the cursor in the query's order: {@code k0 > v0 OR (k0 = v0 AND k1 > v1) OR … OR (all equal
     * AND id > last id)}. A NULL component only ever meets NULLs among rows that tie on the terms before it, so it is
     * skipped.
     */
    private Sql after(List<OrderTerm> terms, Cursors.Position position) {
        List<Sql> branches = new ArrayList<>();
        List<Sql> equalities = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            JsonNode value = position.key().get(i);
            if (JsonValues.isAbsent(value)) {
                continue;
            }
            OrderTerm t = terms.get(i);
            Object param = store.dialect.cursorParam(t.kind(), value);
            List<Sql> branch = new ArrayList<>(equalities);
            branch.add(Sql.of(t.sql() + (t.descending() ? " < ?" : " > ?"), param));
            branches.add(Sql.join(" AND ", branch, Sql.TRUE).parenthesized());
            equalities.add(Sql.of(t.sql() + " = ?", param));
        }
        List<Sql> last = new ArrayList<>(equalities);
        last.add(Sql.of("id > ?", position.id()));
        branches.add(Sql.join(" AND ", last, Sql.TRUE).parenthesized());
        return Sql.join(" OR ", branches, Sql.FALSE).parenthesized();
    }
}
