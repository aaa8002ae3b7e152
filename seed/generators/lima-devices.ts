// Writes the SYNTHETIC device extractions bundled with the Lima case (seed/lima/synthetic-*): two seized
// handsets as Cellebrite report.xml, a third handset's address book as vCard, and a seizure register
// that ties the handsets to the raid. All numbers, IMEIs and names are invented. Deterministic: running
// it again rewrites the same bytes (a test checks), so the files' hashes — and re-import idempotence —
// stay stable.
//
//   tsx seed/generators/lima-devices.ts [outDir]      (default seed/lima)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { luhnDigit, writeSyntheticUfdrXml, type Person } from './ufdr.ts';

const imei = (body: string) => body + luhnDigit(body);

export const LIMA_HANDSETS = {
  h01: { imei: imei('35693803564380'), msisdn: '+51912345101' },
  h02: { imei: imei('35693803564381'), msisdn: '+51912345102' },
} as const;

/** Lines every handset in the house knew: two handlers in Taiwan and two compound lines. */
const SHARED: Person[] = [
  { e164: '+886912345678', forms: ['+886 912 345 678', '00886912345678'], name: 'A-Long 紅龍 (SYNTHETIC)', kind: 'handler', whatsapp: true },
  { e164: '+886987654321', forms: ['+886 987 654 321'], name: 'Boss Chen 紅龍 (SYNTHETIC)', kind: 'handler', whatsapp: true },
  { e164: '+51912345199', forms: ['912 345 199', '+51912345199'], name: 'Casa línea 1 (SYNTHETIC)', kind: 'compound', whatsapp: false },
  { e164: '+51912345198', forms: ['912 345 198'], name: 'Casa línea 2 (SYNTHETIC)', kind: 'compound', whatsapp: true },
];

const VCARD = [
  'BEGIN:VCARD', 'VERSION:3.0', 'FN:A-Long (SYNTHETIC)', 'N:;A-Long;;;', 'TEL;TYPE=CELL:+886 912 345 678', 'END:VCARD',
  'BEGIN:VCARD', 'VERSION:3.0', 'FN:Casa 1 (SYNTHETIC)', 'TEL;TYPE=CELL:912 345 199', 'END:VCARD',
  'BEGIN:VCARD', 'VERSION:3.0', 'FN:Keluarga KL (SYNTHETIC)', 'TEL;TYPE=HOME:+60 3-2161 1111', 'END:VCARD',
  'BEGIN:VCARD', 'VERSION:3.0', 'FN:Handset 01 (SYNTHETIC)', `TEL;TYPE=CELL:${LIMA_HANDSETS.h01.msisdn}`, 'END:VCARD',
  'BEGIN:VCARD', 'VERSION:3.0', 'FN:Bank hotline (SYNTHETIC)', 'TEL;TYPE=WORK:+60 3-2178 8888', 'END:VCARD',
].join('\r\n') + '\r\n';

const REGISTER = `# SYNTHETIC seizure register for the Lima case, invented for the Casegraph demo: it ties the synthetic
# handset extractions (synthetic-handset-*.xml) to the raid. No real evidence is described here.
casegraph: report/1
case: lima-2023
region: PE
document:
  title: "SYNTHETIC seizure register — handsets from the La Molina house"
  note: "Invented for the demo; the handsets, numbers and IMEIs are synthetic."
entities:
  - { ref: raid, type: Event, key: "lima-2023/raid", label: "Police raid on the La Molina house", date: "2023-10-07", at: "header" }
  - { ref: suspect-tw-1, type: Person, key: "lima-2023/suspect-tw-1", label: "Taiwanese suspect 1 (unnamed)", role: suspect, at: "item 1" }
  - { ref: suspect-tw-2, type: Person, key: "lima-2023/suspect-tw-2", label: "Taiwanese suspect 2 (unnamed)", role: suspect, at: "item 2" }
  - { ref: h01, type: Device, label: "Handset 01 (SYNTHETIC)", imei: "${LIMA_HANDSETS.h01.imei}", at: "item 1" }
  - { ref: h02, type: Device, label: "Handset 02 (SYNTHETIC)", imei: "${LIMA_HANDSETS.h02.imei}", at: "item 2" }
links:
  - { type: SEIZED_AT, from: h01, to: raid, at: "item 1" }
  - { type: SEIZED_AT, from: h02, to: raid, at: "item 2" }
  - { type: OWNS, from: suspect-tw-1, to: h01, props: { basis: "SYNTHETIC: found on the person" }, at: "item 1" }
  - { type: OWNS, from: suspect-tw-2, to: h02, props: { basis: "SYNTHETIC: found on the person" }, at: "item 2" }
`;

export async function writeLimaDevices(dir: string): Promise<string[]> {
  const sharedCall = { at: '2023-10-05T14:03:11+00:00', durationS: 187 };
  const out = [
    join(dir, 'synthetic-handset-01.xml'),
    join(dir, 'synthetic-handset-02.xml'),
    join(dir, 'synthetic-handset-03-contacts.vcf'),
    join(dir, 'synthetic-seizure-register.report.yaml'),
  ];
  await writeSyntheticUfdrXml(out[0], {
    seed: 101, calls: 160, contacts: 24, messages: 60, ...LIMA_HANDSETS.h01, label: 'Lima handset 01', sharedPeople: SHARED,
    extraCalls: [{ remote: LIMA_HANDSETS.h02.msisdn, direction: 'outgoing', ...sharedCall }],
  });
  await writeSyntheticUfdrXml(out[1], {
    seed: 102, calls: 120, contacts: 20, messages: 40, ...LIMA_HANDSETS.h02, label: 'Lima handset 02', sharedPeople: SHARED,
    extraCalls: [{ remote: LIMA_HANDSETS.h01.msisdn, direction: 'incoming', ...sharedCall }],
  });
  await writeFile(out[2], VCARD);
  await writeFile(out[3], REGISTER);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await writeLimaDevices(process.argv[2] ?? join(import.meta.dirname, '../lima'));
  process.stdout.write(`${files.join('\n')}\n`);
}
