CREATE TABLE products (id integer PRIMARY KEY, sku varchar(40) NOT NULL, price numeric(12,2));
CREATE UNIQUE INDEX ux_products_sku ON products (sku);
