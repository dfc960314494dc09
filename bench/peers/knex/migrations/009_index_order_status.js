// V9__index_order_status.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE INDEX ix_orders_status ON orders (status)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
