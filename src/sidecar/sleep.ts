/** Waits `ms`, or rejects as soon as `signal` aborts (a cancelled run must not sit out a backoff or a simulated delay). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(new Error('cancelled'));
		if (ms <= 0) return resolve();
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = (): void => {
			clearTimeout(timer);
			reject(new Error('cancelled'));
		};
		signal.addEventListener('abort', onAbort, { once: true });
	});
}
