-- The application's own table, beside Vellum's collections in the same database (spring.sql.init runs it).
CREATE TABLE IF NOT EXISTS invoices (
    order_id VARCHAR(64) PRIMARY KEY,
    total    NUMERIC(12, 2) NOT NULL
);
