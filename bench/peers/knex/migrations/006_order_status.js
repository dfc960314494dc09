// V6__order_status.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("ALTER TABLE orders ADD COLUMN status varchar(20)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
