// V1__customers.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE TABLE customers (id integer PRIMARY KEY, name varchar(100) NOT NULL)");
  await knex.raw("CREATE INDEX ix_customers_name ON customers (name)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
