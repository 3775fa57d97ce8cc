// The kine-shaped table and every statement the SQLite store runs, prepared once. One row per write: id is the
// revision, created/deleted flag the kind of write, create_revision and prev_revision (the id of the key's previous
// row) link a key's history, value is the value after the write (a tombstone keeps the last value) and old_value the
// value before it. The meta table records the compacted revision.
import type Database from 'better-sqlite3';

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
  old_value: string | null;
}

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  old_value TEXT
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** The smallest string greater than every string starting with prefix (byte order of ASCII keys). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10FFFF}';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

// The newest row of each key in [lo, end) at or below a revision: MAX(id) per name rides the (name, id) index.
const NEWEST = (lower: string): string =>
  `SELECT MAX(id) AS mid FROM kv WHERE name ${lower} ? AND name < ? AND id <= ? GROUP BY name`;

export class SqliteStatements {
  readonly latest: Database.Statement;
  readonly listFrom: Database.Statement;
  readonly listAfter: Database.Statement;
  readonly countFrom: Database.Statement;
  readonly countAfter: Database.Statement;
  readonly history: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly deleteSuperseded: Database.Statement;
  private readonly deleteTombstones: Database.Statement;
  private readonly setCompact: Database.Statement;
  private readonly getCompact: Database.Statement;
  private readonly seq: Database.Statement;
  private readonly compactTx: (from: number, to: number) => void;
  private readonly writeTx: <T>(fn: () => T) => T;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.latest = db.prepare('SELECT * FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1');
    this.listFrom = db.prepare(
      `SELECT kv.* FROM kv JOIN (${NEWEST('>=')}) m ON kv.id = m.mid WHERE kv.deleted = 0 ORDER BY kv.name LIMIT ?`,
    );
    this.listAfter = db.prepare(
      `SELECT kv.* FROM kv JOIN (${NEWEST('>')}) m ON kv.id = m.mid WHERE kv.deleted = 0 ORDER BY kv.name LIMIT ?`,
    );
    this.countFrom = db.prepare(`SELECT COUNT(*) AS n FROM kv JOIN (${NEWEST('>=')}) m ON kv.id = m.mid WHERE kv.deleted = 0`);
    this.countAfter = db.prepare(`SELECT COUNT(*) AS n FROM kv JOIN (${NEWEST('>')}) m ON kv.id = m.mid WHERE kv.deleted = 0`);
    this.history = db.prepare(
      'SELECT * FROM kv WHERE id > ? AND id <= ? AND name >= ? AND name < ? ORDER BY id LIMIT ?',
    );
    this.insert = db.prepare(
      'INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // A row is superseded at revision R when a later row of its key exists at or below R; that later row names it
    // in prev_revision. Tombstones at or below R carry nothing a reader at R or later could see.
    this.deleteSuperseded = db.prepare(
      'DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision > 0)',
    );
    this.deleteTombstones = db.prepare('DELETE FROM kv WHERE id > ? AND id <= ? AND deleted = 1');
    this.setCompact = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('compact_rev', ?)");
    this.getCompact = db.prepare("SELECT value FROM meta WHERE key = 'compact_rev'");
    this.seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kv'");
    this.compactTx = db.transaction((from: number, to: number) => {
      this.deleteSuperseded.run(from, to);
      this.deleteTombstones.run(from, to);
      this.setCompact.run(to);
    });
    const tx = db.transaction((fn: () => unknown) => fn());
    this.writeTx = <T>(fn: () => T): T => tx(fn) as T;
  }

  /** Runs fn in one transaction; a throw rolls it back. */
  write<T>(fn: () => T): T {
    return this.writeTx(fn);
  }

  append(r: Row): Row {
    this.insert.run(r.id, r.name, r.created, r.deleted, r.create_revision, r.prev_revision, r.value, r.old_value);
    return r;
  }

  /** Removes history superseded in (from, to] and records `to` as the compacted revision. */
  compactRange(from: number, to: number): void {
    this.compactTx(from, to);
  }

  /** AUTOINCREMENT's counter, so the revision survives compaction of the newest rows. */
  maxRevision(): number {
    const r = this.seq.get() as { seq: number } | undefined;
    return Math.max(r?.seq ?? 0, this.readCompactRevision());
  }

  readCompactRevision(): number {
    return (this.getCompact.get() as { value: number } | undefined)?.value ?? 0;
  }
}
