// Importers registered by format. Detection reads the head of the file, not just its name.
import { AppError } from '../errors.ts';
import { cdrImporter } from './cdr/cdr.importer.ts';
import { cyjsImporter } from '../exchange/cyjs/cyjs.reader.ts';
import { ftmImporter } from '../exchange/ftm/ftm.reader.ts';
import { graphmlImporter } from '../exchange/graphml/graphml.reader.ts';
import { snapshotImporter } from '../exchange/snapshot/snapshot.reader.ts';
import { reportImporter } from './report/report.importer.ts';
import { ufdrImporter } from './ufdr/ufdr.importer.ts';
import { xryImporter } from './xry/xry.importer.ts';
import { sqliteImporter } from './shared/device-db.importer.ts';
import { vcardImporter } from './vcard/vcard.importer.ts';
import type { Importer } from './types.ts';

export const IMPORTERS: readonly Importer[] = [
  reportImporter, snapshotImporter, graphmlImporter, cyjsImporter, ftmImporter,
  ufdrImporter, xryImporter, sqliteImporter, vcardImporter, cdrImporter,
];

export function findImporter(head: Buffer, name: string, format?: string): Importer {
  if (format) {
    const imp = IMPORTERS.find((i) => i.format === format);
    if (!imp) throw new AppError('unsupported_format', `unknown format "${format}"; known: ${IMPORTERS.map((i) => i.format).join(', ')}`);
    return imp;
  }
  const imp = IMPORTERS.find((i) => i.detect(head, name));
  if (!imp) {
    throw new AppError('unsupported_format', `${name}: format not recognised; supported: ${IMPORTERS.map((i) => `${i.format} (${i.description})`).join('; ')}`);
  }
  return imp;
}
