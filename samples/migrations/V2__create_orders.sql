CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    total_cents BIGINT NOT NULL,
    currency CHAR(3) NOT NULL DEFAULT '${currency}'
);
CREATE INDEX ix_orders_customer ON orders (customer_id);
