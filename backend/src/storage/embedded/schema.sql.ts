// DDL of the embedded (SQLite) store. Versioned through PRAGMA user_version.
export const SCHEMA_VERSION = 1;

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  label TEXT NOT NULL,
  props TEXT NOT NULL,
  search TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- link counts kept at import time: reads use them to walk hubs from their light side
  deg_out INTEGER NOT NULL DEFAULT 0,
  deg_in INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE VIRTUAL TABLE IF NOT EXISTS entity_fts USING fts5(label, terms, tokenize = "unicode61 remove_diacritics 2");
CREATE TABLE IF NOT EXISTS links (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  src TEXT NOT NULL,
  dst TEXT NOT NULL,
  props TEXT NOT NULL,
  count INTEGER,
  duration REAL,
  first_at TEXT,
  last_at TEXT
);
-- (src, dst, type): a pair of entities can be sought directly (links among a set that holds hubs)
CREATE INDEX IF NOT EXISTS links_src ON links(src, dst, type);
CREATE INDEX IF NOT EXISTS links_dst ON links(dst, src, type);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  link_id TEXT NOT NULL,
  src TEXT NOT NULL,
  dst TEXT NOT NULL,
  at TEXT NOT NULL,
  duration REAL,
  deleted INTEGER NOT NULL,
  original TEXT NOT NULL,
  props TEXT NOT NULL,
  -- the first source to assert the event, inline (one row less per event on the hot import path);
  -- further sources of the same event go to prov
  source TEXT NOT NULL,
  locator TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_link ON events(link_id, at);
CREATE INDEX IF NOT EXISTS events_at ON events(at);
CREATE TABLE IF NOT EXISTS sources (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  case_name TEXT NOT NULL,
  title TEXT,
  document_id TEXT,
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  n_entities INTEGER NOT NULL,
  n_links INTEGER NOT NULL,
  n_events INTEGER NOT NULL,
  UNIQUE (sha256, case_name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS prov (
  item TEXT NOT NULL,
  source TEXT NOT NULL,
  locator TEXT NOT NULL,
  PRIMARY KEY (item, source, locator)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS prov_source ON prov(source, item);
CREATE TABLE IF NOT EXISTS annotations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  target_id TEXT,
  text TEXT,
  by TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS annotations_entity ON annotations(entity_id);
CREATE INDEX IF NOT EXISTS annotations_target ON annotations(target_id);
`;
