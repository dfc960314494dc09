// V8__index_customer_email.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE INDEX ix_customers_email ON customers (email)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
