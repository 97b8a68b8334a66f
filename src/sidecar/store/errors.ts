/** Why the store could not be opened. The sidecar answers every such case by running without a cache (pass-through). */
export type StoreUnavailableReason =
	/** The file or its directory cannot be written (permissions, read-only mount, path under a regular file, …). */
	| 'read-only'
	/** Another live process holds `<file>.lock`. */
	| 'locked'
	/** The file was written by a newer CostLens (its `user_version` is above what this build knows); it is left untouched. */
	| 'newer-schema'
	/** The file is a SQLite database that belongs to something else; it is left untouched. */
	| 'foreign-database'
	/** A fresh database could not be created even after the damaged one was moved aside. */
	| 'unrecoverable'
	/** Any other I/O or SQLite failure while opening. */
	| 'io';

/** Opening the store failed in a way the caller should answer with pass-through, not with a crash or a retry loop. */
export class StoreUnavailableError extends Error {
	constructor(
		message: string,
		readonly reason: StoreUnavailableReason,
		readonly file: string,
		options?: { cause?: unknown },
	) {
		super(message, options);
		this.name = 'StoreUnavailableError';
	}
}

/** An answer whose JSON exceeds the per-entry cap; it is not stored (the request itself is unaffected). */
export class AnswerTooLargeError extends Error {
	constructor(
		readonly bytes: number,
		readonly maxBytes: number,
	) {
		super(`The answer is ${bytes} bytes as JSON, over the cache's ${maxBytes}-byte limit per entry; it was not cached.`);
		this.name = 'AnswerTooLargeError';
	}
}
