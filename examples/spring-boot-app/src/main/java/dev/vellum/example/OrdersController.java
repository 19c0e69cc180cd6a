package dev.vellum.example;

import dev.vellum.Accumulator;
import dev.vellum.ChangePage;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Vellum's own types returned as they are: Spring's JSON (Jackson 3) writes each as its wire form. */
@RestController
@RequestMapping("/orders")
public class OrdersController {
    private final Orders orders;

    public OrdersController(Orders orders) {
        this.orders = orders;
        orders.collection().enableChanges();
    }

    /** What a client sends to place an order. */
    public record NewOrder(String id, String customer, BigDecimal total) {}

    @PostMapping
    public ResponseEntity<Record> place(@RequestBody NewOrder order) {
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(orders.place(order.id(), order.customer(), order.total()));
    }

    @GetMapping("/{id}")
    public ResponseEntity<Record> get(@PathVariable("id") String id) {
        return ResponseEntity.of(orders.collection().get(id));
    }

    @GetMapping
    public Page find(@RequestParam(name = "customer", required = false) String customer) {
        return orders.collection()
                .find(Query.where(customer == null ? Filter.all() : Filter.eq("customer", customer))
                        .sort("$id"));
    }

    @GetMapping("/by-customer")
    public List<Group> byCustomer() {
        return orders.collection()
                .aggregate(
                        Filter.all(),
                        List.of("customer"),
                        Map.of("orders", Accumulator.count(), "total", Accumulator.sum("total")));
    }

    @GetMapping("/changes")
    public ChangePage changes(@RequestParam(name = "after", defaultValue = "0") String after) {
        return orders.collection().changes().poll(after, 100);
    }

    @GetMapping("/invoices")
    public Map<String, Long> invoices() {
        return Map.of("invoices", orders.invoices());
    }
}
