// V7__product_discontinued.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("ALTER TABLE products ADD COLUMN discontinued integer");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
