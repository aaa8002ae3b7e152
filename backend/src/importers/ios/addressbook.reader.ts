// iOS AddressBook.sqlitedb: ABPerson names and ABMultiValue entries (property 3 phone, 4 e-mail).
// Labels are `_$!<Mobile>!$_` style, stored inline or as a row id into ABMultiValueLabel.
import type { BatchBuilder, BatchChunk, Props } from '../../model/index.ts';
import type { DeviceRefs } from '../shared/device.ts';
import { endpoint, isEmailAddress } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import { sqlNumber, sqlText, sqliteImportError, type SqliteFile, type SqlRow } from '../shared/sqlite.ts';
import type { ImportInput } from '../types.ts';

export const AB_PHONE = 3;
export const AB_EMAIL = 4;

/** `_$!<Mobile>!$_` → `Mobile`; other labels as written. */
export function cleanAbLabel(label: string | null | undefined): string | undefined {
  if (!label) return undefined;
  const m = /^_\$!<(.*)>!\$_$/.exec(label.trim());
  return (m ? m[1] : label.trim()).slice(0, 100) || undefined;
}

export function* readAddressBook(f: SqliteFile, b: BatchBuilder, input: ImportInput, dev: DeviceRefs, tables: ReadonlySet<string>): Generator<BatchChunk> {
  const mv = f.requireColumns('ABMultiValue', ['record_id', 'property', 'value']);
  const person = f.requireColumns('ABPerson', ['ROWID']);
  const labels = new Map<number, string>();
  if (tables.has('ABMultiValueLabel')) {
    for (const l of f.all<{ id: number; value: unknown }>('ABMultiValueLabel', 'SELECT ROWID AS id, value FROM ABMultiValueLabel')) {
      if (typeof l.value === 'string') labels.set(Number(l.id), l.value);
    }
  }
  const p = (c: string) => (person.has(c) ? `p.${c}` : 'NULL');
  const sql = `SELECT mv.ROWID AS ROWID, mv.record_id AS record_id, mv.property AS property, ${mv.has('label') ? 'mv.label' : 'NULL'} AS label, mv.value AS value,
      ${p('First')} AS First, ${p('Middle')} AS Middle, ${p('Last')} AS Last, ${p('Organization')} AS Organization, ${p('Nickname')} AS Nickname
    FROM ABMultiValue mv JOIN ABPerson p ON p.ROWID = mv.record_id
    WHERE mv.property IN (${AB_PHONE}, ${AB_EMAIL}) ORDER BY mv.record_id, mv.ROWID`;
  for (const { row, locator, position } of f.rows<SqlRow>('ABMultiValue', 'ROWID', sql)) {
    try {
      entry(b, input, dev, row, locator, labels);
    } catch (err) {
      throw sqliteImportError(input.name, position, err);
    }
    if (b.pending >= LIMITS.chunkRecords) yield b.flush();
  }
}

function entry(b: BatchBuilder, input: ImportInput, dev: DeviceRefs, row: SqlRow, locator: string, labels: Map<number, string>): void {
  const text = (v: unknown) => sqlText(v as string | null)?.trim() ?? '';
  const person = [text(row.First), text(row.Middle), text(row.Last)].filter(Boolean).join(' ');
  const name = (person || text(row.Organization) || text(row.Nickname)).slice(0, 500);
  const labelId = sqlNumber(row.label);
  const label = cleanAbLabel(labelId !== null && labels.has(labelId) ? labels.get(labelId) : typeof row.label === 'string' ? row.label : undefined);
  const props: Props = {};
  if (name) props.name = name;
  if (label) props.label = label;
  if (text(row.Organization) && person) props.organization = text(row.Organization).slice(0, 500);
  const value = text(row.value);
  if (!value) {
    b.warn(`${input.name} ${locator}: entry without a value; skipped`);
    return;
  }
  const aliases = name ? [name] : undefined;
  if (sqlNumber(row.property) === AB_EMAIL) {
    if (!isEmailAddress(value)) {
      b.warn(`${input.name} ${locator}: "${value.slice(0, 80)}" is not an e-mail address; skipped`);
      return;
    }
    const id = b.entity('Email', { label: value, props: { address: value.toLowerCase() }, aliases, locator });
    b.link('HAS_CONTACT', dev.deviceId, id, locator, props);
    return;
  }
  const id = endpoint(b, value, { region: dev.region, locator, scope: `${input.sha256}:${locator}`, aliases });
  b.link('HAS_CONTACT', dev.deviceId, id, locator, props);
}
