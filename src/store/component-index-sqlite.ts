import type SqliteDatabase from 'better-sqlite3';
import type { IndexedComponent } from '../inventory/index.js';
import { hashKey, packageKeyOf } from './component-index.js';

interface Statements {
  findPackage: SqliteDatabase.Statement<[string], { id: number }>;
  addPackage: SqliteDatabase.Statement<[string, string, string | null]>;
  findLicense: SqliteDatabase.Statement<[string], { id: number }>;
  addLicense: SqliteDatabase.Statement<[string]>;
  addComponent: SqliteDatabase.Statement<
    [number, number, string | null, string | null, string | null, number, string | null]
  >;
  addHash: SqliteDatabase.Statement<[number, number, string, string]>;
  addLicenseLink: SqliteDatabase.Statement<[number, number]>;
}

const cache = new WeakMap<SqliteDatabase.Database, Statements>();

function statements(db: SqliteDatabase.Database): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      findPackage: db.prepare('select id from packages where package = ?'),
      addPackage: db.prepare('insert into packages (package, name, ecosystem) values (?, ?, ?)'),
      findLicense: db.prepare('select id from licenses where name = ?'),
      addLicense: db.prepare('insert into licenses (name) values (?)'),
      addComponent: db.prepare(
        'insert into components (sbom_id, package_id, version, purl, scope, direct, licenses) values (?, ?, ?, ?, ?, ?, ?)',
      ),
      addHash: db.prepare(
        'insert or ignore into component_hashes (key, component_id, alg, value) values (?, ?, ?, ?)',
      ),
      addLicenseLink: db.prepare(
        'insert or ignore into component_licenses (license_id, component_id) values (?, ?)',
      ),
    };
    cache.set(db, s);
  }
  return s;
}

/**
 * The SQLite path of insertComponents: one cached prepared statement per row instead of large
 * multi-row inserts, which in SQLite are slower to build, bind and prepare than the rows are to
 * write. Must run inside the open transaction on `db` (the Kysely writer's own connection).
 */
export function insertComponentsSqlite(
  db: SqliteDatabase.Database,
  sbomId: number,
  rows: readonly IndexedComponent[],
): void {
  const st = statements(db);
  const packages = new Map<string, number>();
  const licenses = new Map<string, number>();
  for (const c of rows) {
    const key = packageKeyOf(c);
    let packageId = packages.get(key);
    if (packageId === undefined) {
      packageId =
        st.findPackage.get(key)?.id ??
        Number(st.addPackage.run(key, c.name, c.ecosystem).lastInsertRowid);
      packages.set(key, packageId);
    }
    const componentId = Number(
      st.addComponent.run(
        sbomId,
        packageId,
        c.version,
        c.purl,
        c.scope,
        c.direct ? 1 : 0,
        c.licenseText,
      ).lastInsertRowid,
    );
    for (const h of c.hashes) {
      if (/^[0-9a-f]{13,}$/.test(h.value))
        st.addHash.run(hashKey(h.value), componentId, h.alg, h.value);
    }
    for (const l of c.licenses) {
      let licenseId = licenses.get(l);
      if (licenseId === undefined) {
        licenseId = st.findLicense.get(l)?.id ?? Number(st.addLicense.run(l).lastInsertRowid);
        licenses.set(l, licenseId);
      }
      st.addLicenseLink.run(licenseId, componentId);
    }
  }
}
