// V5__customer_email.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("ALTER TABLE customers ADD COLUMN email varchar(200)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
