ALTER TABLE orders ADD COLUMN status varchar(20);
