package dev.vellum.spring.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;

/** An application's JPA entity, beside Vellum's records in the same database. */
@Entity
@Table(name = "invoices")
public class Invoice {
    @Id
    private String orderId;

    private BigDecimal total;

    protected Invoice() {}

    public Invoice(String orderId, BigDecimal total) {
        this.orderId = orderId;
        this.total = total;
    }

    public String getOrderId() {
        return orderId;
    }

    public BigDecimal getTotal() {
        return total;
    }
}
