package dev.vellum.example;

import dev.vellum.Collection;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import java.math.BigDecimal;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Orders kept as Vellum records, their invoices in the application's own SQL table: one plain {@code @Transactional}
 * method writes both, through the application's transaction manager, and an exception rolls both back.
 */
@Service
public class Orders {
    private final Collection orders;
    private final JdbcTemplate jdbc;

    public Orders(RecordStore store, JdbcTemplate jdbc) {
        this.orders = store.collection("orders");
        this.jdbc = jdbc;
    }

    /** The order and its invoice, or neither: a total that is not positive fails after both were written. */
    @Transactional
    public Record place(String id, String customer, BigDecimal total) {
        Record order = orders.insert(id, Map.of("customer", customer, "total", total, "status", "placed"), null);
        jdbc.update("INSERT INTO invoices (order_id, total) VALUES (?, ?)", id, total);
        if (total.signum() <= 0) {
            throw new IllegalArgumentException("An order needs a positive total");
        }
        return order;
    }

    public long invoices() {
        Long count = jdbc.queryForObject("SELECT count(*) FROM invoices", Long.class);
        return count == null ? 0 : count;
    }

    public Collection collection() {
        return orders;
    }
}
