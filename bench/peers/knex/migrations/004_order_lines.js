// V4__order_lines.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE TABLE order_lines (id integer PRIMARY KEY, order_id integer NOT NULL, product_id integer NOT NULL, quantity integer NOT NULL, FOREIGN KEY (order_id) REFERENCES orders (id), FOREIGN KEY (product_id) REFERENCES products (id))");
  await knex.raw("CREATE INDEX ix_order_lines_order ON order_lines (order_id)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
