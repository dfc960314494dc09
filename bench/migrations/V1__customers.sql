CREATE TABLE customers (id integer PRIMARY KEY, name varchar(100) NOT NULL);
CREATE INDEX ix_customers_name ON customers (name);
