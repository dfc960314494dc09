CREATE INDEX ix_orders_status ON orders (status);
