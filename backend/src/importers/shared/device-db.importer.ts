// The one importer for Android and iOS SQLite databases: detect() sees the SQLite magic, parse() opens
// the file read-only and picks the database kind from its tables (see each kind's `matches`).
//
// What fails and what is skipped (nothing is written when an import fails):
// - import_failed: not SQLite (`offset 0`), truncated or corrupt file (`header`, `table T after row …`),
//   no known table set (`sqlite_master`: `unsupported SQLite database: tables …`), a required column
//   missing (`table T`), a timestamp that is not a number (`table T row KEY=V`).
// - warning, record skipped: a timestamp that is a number but outside 1990–2100 (zeroed/carved rows),
//   an unknown SMS type or MMS box, a message whose parties cannot be found, a contact entry without a
//   value or with a malformed e-mail address.
// - warning, record kept: an unknown call type (direction "unknown"), a negative duration (dropped),
//   text longer than LIMITS.maxTextChars (cut).
// Region for national-format numbers: the row's own country column (Android `countryiso`, iOS
// `ZISO_COUNTRY_CODE`, `handle.country`) first — it is the network country the device itself used for
// that row — then the device MSISDN's country, then the context default.
import { ANDROID_SQLITE_KINDS } from '../android/android.kinds.ts';
import { IOS_SQLITE_KINDS } from '../ios/ios.kinds.ts';
import { createSqliteImporter, type SqliteKind } from './sqlite.ts';

/** Order matters: the first kind whose tables match wins (iOS CallHistory before the Android `calls` check). */
export const DEVICE_SQLITE_KINDS: readonly SqliteKind[] = [...IOS_SQLITE_KINDS, ...ANDROID_SQLITE_KINDS];

export const sqliteImporter = createSqliteImporter('device-sqlite', DEVICE_SQLITE_KINDS);
