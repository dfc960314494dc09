CREATE VIEW order_totals AS SELECT o.id AS order_id, sum(l.quantity) AS items FROM orders o JOIN order_lines l ON l.order_id = o.id GROUP BY o.id;
