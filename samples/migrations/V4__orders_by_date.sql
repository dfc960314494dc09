ALTER TABLE orders ADD COLUMN ordered_at TIMESTAMP;
CREATE INDEX ix_orders_ordered_at ON orders (ordered_at);
