import * as fs from 'node:fs';
import * as os from 'node:os';
import { StoreUnavailableError } from './errors';

/**
 * One process owns a database file. SQLite's own locks cannot say this: WAL mode lets any number of
 * connections share the file, and `locking_mode=EXCLUSIVE` would make a second sidecar wait out
 * `busy_timeout` and then fail with a bare SQLITE_BUSY. So the owner holds `<db>.lock`, a small
 * JSON file with its pid; a lock whose pid is dead (a `kill -9`ed sidecar) is stale and taken over.
 */
export interface LockHandle {
	readonly path: string;
	/** Removes the lock file if it is still ours. Safe to call twice. */
	release(): void;
}

interface LockContent {
	readonly pid: number;
	readonly host: string;
	readonly createdAt: number;
}

function isUnwritable(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOENT';
}

function readLock(lockPath: string): LockContent | undefined {
	try {
		const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockContent>;
		if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
		return { pid: parsed.pid, host: typeof parsed.host === 'string' ? parsed.host : '', createdAt: Number(parsed.createdAt) || 0 };
	} catch {
		return undefined;
	}
}

/** EPERM means the process exists but belongs to someone else: alive. */
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Creates the lock with its content in one step: write a private temp file, then hard-link it to
 * the lock path (link fails if the path exists), so no reader ever sees an empty lock.
 */
function tryCreate(lockPath: string, content: LockContent): boolean {
	const temp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
	fs.writeFileSync(temp, JSON.stringify(content), { flag: 'wx' });
	try {
		fs.linkSync(temp, lockPath);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		fs.rmSync(temp, { force: true });
	}
}

/**
 * Takes `<dbFile>.lock` or throws `StoreUnavailableError` ('locked' when a live process holds it,
 * 'read-only' when the directory cannot be written). A lock held by a dead pid on this host, or an
 * unreadable lock, is replaced. Known gap: two processes taking over the same stale lock at the same
 * instant can both succeed (unlink + create is not atomic); sidecars start one per workspace, so
 * this needs two crashes and two simultaneous restarts.
 */
export function acquireLock(dbFile: string, log: (msg: string) => void = () => undefined): LockHandle {
	const lockPath = `${dbFile}.lock`;
	const mine: LockContent = { pid: process.pid, host: os.hostname(), createdAt: Date.now() };
	for (let attempt = 0; attempt < 3; attempt++) {
		let created: boolean;
		try {
			created = tryCreate(lockPath, mine);
		} catch (error) {
			if (isUnwritable(error)) {
				throw new StoreUnavailableError(`Cannot create the lock file ${lockPath}: ${(error as Error).message}. The directory is not writable.`, 'read-only', dbFile, { cause: error });
			}
			throw new StoreUnavailableError(`Cannot create the lock file ${lockPath}: ${(error as Error).message}`, 'io', dbFile, { cause: error });
		}
		if (created) return makeHandle(lockPath, mine);
		const holder = readLock(lockPath);
		if (holder) {
			const sameHost = holder.host === '' || holder.host === mine.host;
			if (!sameHost || isProcessAlive(holder.pid)) {
				const who = holder.pid === process.pid ? `this process (pid ${holder.pid}) already has it open` : `process ${holder.pid}${sameHost ? '' : ` on ${holder.host}`} holds it`;
				throw new StoreUnavailableError(
					`The cache database ${dbFile} is in use: ${who} (lock file ${lockPath}). Only one CostLens sidecar can use a database; if no such process exists, delete the lock file.`,
					'locked',
					dbFile,
				);
			}
			log(`Taking over stale lock ${lockPath} (process ${holder.pid} is no longer running).`);
		} else {
			log(`Replacing unreadable lock file ${lockPath}.`);
		}
		try {
			fs.rmSync(lockPath, { force: true });
		} catch (error) {
			throw new StoreUnavailableError(`Cannot remove the stale lock file ${lockPath}: ${(error as Error).message}`, 'read-only', dbFile, { cause: error });
		}
	}
	throw new StoreUnavailableError(`Could not take the lock file ${lockPath}: another process keeps recreating it.`, 'locked', dbFile);
}

function makeHandle(lockPath: string, mine: LockContent): LockHandle {
	let released = false;
	return {
		path: lockPath,
		release(): void {
			if (released) return;
			released = true;
			const holder = readLock(lockPath);
			if (holder && holder.pid === mine.pid && holder.createdAt === mine.createdAt) fs.rmSync(lockPath, { force: true });
		},
	};
}
