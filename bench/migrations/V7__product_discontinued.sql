ALTER TABLE products ADD COLUMN discontinued integer;
