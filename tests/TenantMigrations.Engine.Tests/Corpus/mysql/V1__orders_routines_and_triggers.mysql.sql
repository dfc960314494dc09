-- Orders with routines and triggers written the way the mysql client reads them (DELIMITER).
-- A comment; with 'quotes' and "double quotes"; is not a statement.
CREATE TABLE orders (
  id INT AUTO_INCREMENT PRIMARY KEY,
  note VARCHAR(200) DEFAULT 'semi;colon',
  total DECIMAL(10,2) NOT NULL DEFAULT 0,
  `weird;name` INT NULL,
  `back``tick` VARCHAR(20) DEFAULT 'a`b'
) ENGINE=InnoDB;

# A hash comment; with a 'quote that never closes
CREATE INDEX orders_total ON orders (total);

DELIMITER //

CREATE PROCEDURE add_order(IN amount DECIMAL(10,2))
BEGIN
  DECLARE existing INT DEFAULT 0;
  -- a comment inside the body; still the same statement
  SELECT COUNT(*) INTO existing FROM orders;
  INSERT INTO orders (note, total) VALUES (CONCAT('from proc; #', existing), amount);
END //

CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC
BEGIN
  RETURN x * 2;
END//

CREATE TRIGGER orders_before_insert BEFORE INSERT ON orders FOR EACH ROW
BEGIN
  IF NEW.total < 0 THEN
    SET NEW.total = 0;
  END IF;
  SET NEW.note = CONCAT(IFNULL(NEW.note, ''), ';trg');
END //

delimiter ;

INSERT INTO orders (note, total) VALUES ('it\'s; escaped \\', 5), ("double \"quoted\"; text", 7), ('back\\slash; end\\', -1);
CALL add_order(3.50);

DELIMITER $$
CREATE TRIGGER orders_before_update BEFORE UPDATE ON orders FOR EACH ROW
BEGIN
  SET NEW.note = CASE WHEN NEW.total > 100 THEN 'big;' ELSE NEW.note END;
END$$
DELIMITER ;

CREATE VIEW big_orders AS SELECT id, total, double_it(CAST(total AS SIGNED)) AS doubled FROM orders WHERE total > 4;
