// The export formats as data: file extension, content type, and what survives a round trip.
export const EXPORT_FORMATS = ['snapshot', 'graphml', 'gexf', 'cyjs', 'csv', 'ftm'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface FormatSpec {
  ext: string;
  contentType: string;
  description: string;
  /** Casegraph reads it back (as an importer, and with `open`) */
  readable: boolean;
  roundTrip: string;
}

export const FORMAT_SPECS: Record<ExportFormat, FormatSpec> = {
  snapshot: {
    ext: 'casegraph.json', contentType: 'application/json; charset=utf-8', readable: true,
    description: 'Casegraph snapshot: the view\'s facts and sources plus the UI view state, sealed by SHA-256',
    roundTrip: 'Exact: entities, links, events, props (with JSON types), search terms, every source (sha256, case, import time and user) with its locators, merges, view state. A changed byte is refused.',
  },
  graphml: {
    ext: 'graphml', contentType: 'application/graphml+xml; charset=utf-8', readable: true,
    description: 'GraphML with typed keys (networkx, Gephi, yEd, Neo4j apoc)',
    roundTrip: 'Exact through Casegraph: props keep types (arrays/mixed as JSON text), sources and locators (cg_sources, cg_prov), events (cg_events). Third-party tools see typed attributes; XML-illegal characters are stripped from plain attributes (kept exactly in cg_exact).',
  },
  gexf: {
    ext: 'gexf', contentType: 'application/gexf+xml; charset=utf-8', readable: false,
    description: 'GEXF 1.3 for Gephi: viz:color by entity type, viz:position from the view',
    roundTrip: 'Export only. Carries typed props and per-element provenance (cg_sources: source name, file sha256, locators); raw events are summarised (cg_count, cg_duration_s, first/last).',
  },
  cyjs: {
    ext: 'cyjs', contentType: 'application/json; charset=utf-8', readable: true,
    description: 'Cytoscape.js JSON ({ elements: { nodes, edges } } with data and position)',
    roundTrip: 'Exact through Casegraph (props as JSON, cg_sources, cg_prov, cg_events). Positions are written from the request but not restored (open a snapshot for view state).',
  },
  csv: {
    ext: 'zip', contentType: 'application/zip', readable: false,
    description: 'CSV in a zip: nodes.csv, edges.csv, events.csv, sources.csv (formula-safe, RFC 4180)',
    roundTrip: 'Export only: all values become text; provenance as JSON per row and sources.csv.',
  },
  ftm: {
    ext: 'ftm.jsonl', contentType: 'application/x-ndjson; charset=utf-8', readable: true,
    description: 'FollowTheMoney entities as JSON lines (Aleph, ftm tools)',
    roundTrip: 'Exact through Casegraph via each line\'s `casegraph` context. FtM consumers see FtM semantics only: link types without an FtM schema become UnknownLink (type in `role`), phones and e-mails become properties of their user, a Group becomes a LegalEntity, Device/Place/BankCard map to Asset/Address/BankAccount.',
  },
};
