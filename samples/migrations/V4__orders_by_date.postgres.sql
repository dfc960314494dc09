-- tm:transaction=false
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction.
ALTER TABLE orders ADD COLUMN ordered_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_ordered_at ON orders (ordered_at);
