// V10__order_totals.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE VIEW order_totals AS SELECT o.id AS order_id, sum(l.quantity) AS items FROM orders o JOIN order_lines l ON l.order_id = o.id GROUP BY o.id");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
