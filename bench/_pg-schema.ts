import pg from 'pg';

const TEST_DATABASE = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh private schema in the test database; the CUSTODY_DATABASE_URL that uses it. */
export async function freshPgSchema(name: string): Promise<string> {
  const c = new pg.Client({ connectionString: TEST_DATABASE });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name}`);
  } finally {
    await c.end();
  }
  return `${TEST_DATABASE}?options=-c%20search_path%3D${name}`;
}
