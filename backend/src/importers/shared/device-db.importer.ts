// The one importer for Android and iOS SQLite databases: detect() sees the SQLite magic, parse() opens
// the file read-only and picks the database kind from its tables (see each kind's `matches`).
import { ANDROID_SQLITE_KINDS } from '../android/android.kinds.ts';
import { IOS_SQLITE_KINDS } from '../ios/ios.kinds.ts';
import { createSqliteImporter, type SqliteKind } from './sqlite.ts';

/** Order matters: the first kind whose tables match wins (iOS CallHistory before the Android `calls` check). */
export const DEVICE_SQLITE_KINDS: readonly SqliteKind[] = [...IOS_SQLITE_KINDS, ...ANDROID_SQLITE_KINDS];

export const sqliteImporter = createSqliteImporter('device-sqlite', DEVICE_SQLITE_KINDS);
