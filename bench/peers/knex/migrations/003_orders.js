// V3__orders.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, placed_on date, FOREIGN KEY (customer_id) REFERENCES customers (id))");
  await knex.raw("CREATE INDEX ix_orders_customer ON orders (customer_id)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
