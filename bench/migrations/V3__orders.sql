CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, placed_on date, FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE INDEX ix_orders_customer ON orders (customer_id);
