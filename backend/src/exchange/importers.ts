// The exchange formats Casegraph reads back, for the import registry and for `open`.
import { AppError } from '../errors.ts';
import { cyjsImporter } from './cyjs/cyjs.reader.ts';
import type { ExchangeImporter } from './exchange-importer.ts';
import { ftmImporter } from './ftm/ftm.reader.ts';
import { graphmlImporter } from './graphml/graphml.reader.ts';
import { snapshotImporter } from './snapshot/snapshot.reader.ts';

export { cyjsImporter, ftmImporter, graphmlImporter, snapshotImporter };

/** Order matters for detection: the snapshot's head is also JSON. */
export const EXCHANGE_IMPORTERS: readonly ExchangeImporter[] = [snapshotImporter, graphmlImporter, cyjsImporter, ftmImporter];

export function findExchangeImporter(head: Buffer, name: string, format?: string): ExchangeImporter {
  const list = EXCHANGE_IMPORTERS;
  const imp = format ? list.find((i) => i.format === format) : list.find((i) => i.detect(head, name));
  if (!imp) {
    throw new AppError('unsupported_format', `${name}: ${format ? `"${format}" is not an exchange format` : 'not a file Casegraph can open'}; open reads: ${list.map((i) => `${i.format} (${i.description})`).join('; ')}`);
  }
  return imp;
}
