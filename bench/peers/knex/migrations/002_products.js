// V2__products.sql of bench/migrations, statement by statement.
exports.up = async function (knex) {
  await knex.raw("CREATE TABLE products (id integer PRIMARY KEY, sku varchar(40) NOT NULL, price numeric(12,2))");
  await knex.raw("CREATE UNIQUE INDEX ux_products_sku ON products (sku)");
};

exports.down = async function () {
  throw new Error('the benchmark never migrates down');
};
