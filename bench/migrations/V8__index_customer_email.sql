CREATE INDEX ix_customers_email ON customers (email);
