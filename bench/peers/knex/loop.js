// The knex loop that tenant platforms run today: for each tenant a new knex instance, migrate.latest()
// (or migrate.list() for status), destroy(). Usage:
//   node loop.js ENGINE ACTION TENANTS_FILE CONCURRENCY
// ENGINE: pg-schemas | pg-databases | mariadb | sqlite; ACTION: latest | status.
// TENANTS_FILE: one tenant per line (schema, database or file path). The server comes from BENCH_* variables.
'use strict';
const fs = require('fs');
const path = require('path');
const knexFactory = require('knex');

const [engine, action, tenantsFile, concurrencyText] = process.argv.slice(2);
const tenants = fs.readFileSync(tenantsFile, 'utf8').split('\n').filter(Boolean);
const concurrency = Number(concurrencyText || 4);
const directory = path.join(__dirname, 'migrations');

function configFor(tenant) {
  const server = { host: '127.0.0.1', port: Number(process.env.BENCH_PORT), user: process.env.BENCH_USER, password: process.env.BENCH_PASSWORD || undefined };
  const pool = { min: 0, max: 1 };
  switch (engine) {
    case 'pg-schemas':
      return { client: 'pg', connection: { ...server, database: process.env.BENCH_DATABASE }, searchPath: [tenant], pool, migrations: { directory, schemaName: tenant } };
    case 'pg-databases':
      return { client: 'pg', connection: { ...server, database: tenant }, pool, migrations: { directory } };
    case 'mariadb':
      return { client: 'mysql2', connection: { ...server, database: tenant }, pool, migrations: { directory } };
    case 'sqlite':
      return { client: 'better-sqlite3', connection: { filename: tenant }, useNullAsDefault: true, pool, migrations: { directory } };
    default:
      throw new Error(`unknown engine '${engine}'`);
  }
}

async function migrateOne(tenant) {
  const knex = knexFactory(configFor(tenant));
  try {
    if (action === 'status') await knex.migrate.list();
    else await knex.migrate.latest();
  } finally {
    await knex.destroy();
  }
}

async function main() {
  let next = 0;
  let failed = 0;
  async function worker() {
    while (next < tenants.length) {
      const tenant = tenants[next++];
      try {
        await migrateOne(tenant);
      } catch (error) {
        failed++;
        if (failed <= 3) console.error(`${tenant}: ${error.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, tenants.length) }, worker));
  if (failed > 0) {
    console.error(`${failed} of ${tenants.length} tenants failed`);
    process.exitCode = 1;
  }
}

main();
