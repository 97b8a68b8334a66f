import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sqliteVec from 'sqlite-vec';
import { StoreUnavailableError } from './errors';
import { acquireLock, type LockHandle } from './lockFile';
import { APPLICATION_ID, migrate, SCHEMA_VERSION } from './migrations';

export interface OpenDatabaseOptions {
	/** Database path, or `':memory:'` (tests: no lock, no WAL). */
	readonly file: string;
	readonly log?: (msg: string) => void;
	/** Clock for quarantine file names. */
	readonly now?: () => number;
}

export interface OpenedDatabase {
	readonly db: Database.Database;
	/** Absolute path, or `':memory:'`. */
	readonly file: string;
	/** Things the user should be told (a damaged file was moved aside, …). */
	readonly notices: string[];
	/** Held until the store closes; undefined for `':memory:'`. */
	readonly lock: LockHandle | undefined;
	readonly schemaVersion: number;
}

/** The file is not a usable SQLite database (bad header, failed quick_check, SQLITE_CORRUPT). */
class DamagedDatabaseError extends Error {}

const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

function sqliteCode(error: unknown): string {
	const code = (error as { code?: unknown } | undefined)?.code;
	return typeof code === 'string' ? code : '';
}

function isDamage(error: unknown): boolean {
	const code = sqliteCode(error);
	return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

function isUnwritable(error: unknown): boolean {
	const code = sqliteCode(error);
	return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/**
 * Durability: the cache tables run at `synchronous=NORMAL` (in WAL mode a committed transaction
 * survives a process crash such as `kill -9`; only power loss or an OS crash can drop the last
 * commits). Usage rows of upstream attempts are money, so `appendUsage` switches the connection
 * to `synchronous=FULL` for their transaction: the WAL is fsynced at that commit and the rows
 * survive power loss too. Cache-hit rows ($0) and cache writes keep NORMAL's speed (measured here:
 * 12.1k vs 3.9k single-row inserts/s).
 */
function configure(db: Database.Database, file: string): void {
	if (file !== ':memory:') {
		const mode = db.pragma('journal_mode = WAL', { simple: true });
		if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is '${String(mode)}')`);
		// Bounds the -wal file after checkpoints; the default lets it keep its peak size forever.
		db.pragma('journal_size_limit = 67108864');
	}
	db.pragma('busy_timeout = 5000');
	db.pragma('foreign_keys = ON');
	db.pragma('synchronous = NORMAL');
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Checked before SQLite sees the file: on a failed open SQLite deletes the `-wal` beside it, and
 * that WAL may hold the last committed usage rows, so it must reach the quarantine untouched.
 */
function hasForeignHeader(file: string): boolean {
	let fd: number;
	try {
		fd = fs.openSync(file, 'r');
	} catch {
		return false;
	}
	try {
		const head = Buffer.alloc(SQLITE_HEADER.length);
		const read = fs.readSync(fd, head, 0, head.length, 0);
		// An empty file is a new database to SQLite; anything else must start with the full header.
		return read > 0 && (read < SQLITE_HEADER.length || !head.equals(SQLITE_HEADER));
	} finally {
		fs.closeSync(fd);
	}
}

/** Opens, checks and migrates one file. Throws DamagedDatabaseError or StoreUnavailableError. */
function openChecked(file: string): { db: Database.Database; schemaVersion: number } {
	if (file !== ':memory:' && fs.existsSync(file)) {
		const stat = fs.statSync(file);
		if (!stat.isFile()) throw new StoreUnavailableError(`The cache database path ${file} is not a regular file.`, 'read-only', file);
		try {
			fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
		} catch (error) {
			throw new StoreUnavailableError(`The cache database ${file} cannot be opened for writing: ${(error as Error).message}`, 'read-only', file, { cause: error });
		}
	}
	if (file !== ':memory:' && hasForeignHeader(file)) throw new DamagedDatabaseError('not a SQLite database (bad file header)');
	let db: Database.Database;
	try {
		db = new Database(file);
	} catch (error) {
		if (isDamage(error)) throw new DamagedDatabaseError((error as Error).message);
		throw new StoreUnavailableError(`Cannot open the cache database ${file}: ${(error as Error).message}`, isUnwritable(error) ? 'read-only' : 'io', file, { cause: error });
	}
	try {
		sqliteVec.load(db);
		// Read the header before changing anything: a newer or foreign file must be left as it is.
		const version = db.pragma('user_version', { simple: true }) as number;
		const appId = db.pragma('application_id', { simple: true }) as number;
		if (version > SCHEMA_VERSION) {
			throw new StoreUnavailableError(
				`The cache database ${file} has schema version ${version}, newer than this CostLens understands (${SCHEMA_VERSION}). It was left untouched; update CostLens or point it at another file.`,
				'newer-schema',
				file,
			);
		}
		const ownTables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).get() as { n: number };
		if ((appId !== 0 && appId !== APPLICATION_ID) || (appId === 0 && ownTables.n > 0)) {
			throw new StoreUnavailableError(`The file ${file} is a SQLite database that does not belong to CostLens; it was left untouched.`, 'foreign-database', file);
		}
		const check = db.pragma('quick_check') as { quick_check: string }[];
		const problems = check.map((row) => row.quick_check).filter((line) => line !== 'ok');
		if (problems.length > 0) throw new DamagedDatabaseError(`quick_check: ${problems.slice(0, 3).join('; ')}`);
		configure(db, file);
		const { to } = migrate(db);
		return { db, schemaVersion: to };
	} catch (error) {
		try {
			db.close();
		} catch {
			// Closing a connection to a damaged file can fail too; the original error is the one to report.
		}
		if (error instanceof StoreUnavailableError || error instanceof DamagedDatabaseError) throw error;
		if (isDamage(error)) throw new DamagedDatabaseError((error as Error).message);
		throw new StoreUnavailableError(`Cannot open the cache database ${file}: ${(error as Error).message}`, isUnwritable(error) ? 'read-only' : 'io', file, { cause: error });
	}
}

function stamp(ms: number): string {
	return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

/** Moves the damaged file and its WAL/SHM/journal aside (a stale -wal would otherwise be replayed into the fresh file). */
function quarantine(file: string, now: number): string {
	let target = `${file}.corrupt-${stamp(now)}`;
	for (let n = 1; fs.existsSync(target); n++) target = `${file}.corrupt-${stamp(now)}-${n}`;
	fs.renameSync(file, target);
	for (const suffix of SIDE_FILES) {
		if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
	}
	return target;
}

/**
 * Opens (creating if needed) the CostLens database: takes `<file>.lock`, checks the file, moves a
 * damaged one aside and starts fresh (once: never a loop), sets the pragmas and migrates.
 * Throws `StoreUnavailableError` when the store cannot be used; the caller runs without a cache.
 */
export function openDatabase(options: OpenDatabaseOptions): OpenedDatabase {
	const log = options.log ?? (() => undefined);
	const now = options.now ?? Date.now;
	if (options.file === ':memory:') {
		const { db, schemaVersion } = openChecked(':memory:');
		return { db, file: ':memory:', notices: [], lock: undefined, schemaVersion };
	}
	const file = path.resolve(options.file);
	try {
		fs.mkdirSync(path.dirname(file), { recursive: true });
	} catch (error) {
		throw new StoreUnavailableError(`Cannot create the directory for the cache database ${file}: ${(error as Error).message}`, 'read-only', file, { cause: error });
	}
	const lock = acquireLock(file, log);
	try {
		const notices: string[] = [];
		let opened: { db: Database.Database; schemaVersion: number };
		try {
			opened = openChecked(file);
		} catch (error) {
			if (!(error instanceof DamagedDatabaseError)) throw error;
			let movedTo: string;
			try {
				movedTo = quarantine(file, now());
			} catch (moveError) {
				throw new StoreUnavailableError(`The cache database ${file} is damaged (${error.message}) and could not be moved aside: ${(moveError as Error).message}`, 'unrecoverable', file, { cause: moveError });
			}
			const notice = `The cache database ${file} was damaged (${error.message}) and was moved to ${movedTo}; a new one was created. Usage history before this point is in the moved file.`;
			log(notice);
			notices.push(notice);
			try {
				opened = openChecked(file);
			} catch (freshError) {
				throw new StoreUnavailableError(`A new cache database could not be created at ${file} after moving the damaged one aside: ${(freshError as Error).message}`, 'unrecoverable', file, { cause: freshError });
			}
		}
		return { db: opened.db, file, notices, lock, schemaVersion: opened.schemaVersion };
	} catch (error) {
		lock.release();
		throw error;
	}
}
