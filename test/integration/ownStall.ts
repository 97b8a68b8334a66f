import * as inspector from 'node:inspector';

/** The sampling CPU profile of the extension host's main thread, as the V8 inspector returns it. */
interface Profile {
	nodes: Array<{ id: number; callFrame: { url: string; functionName: string }; children?: number[] }>;
	samples: number[];
	timeDeltas: number[];
}

export interface OwnStall {
	/** Longest run of consecutive samples whose stack contains a frame from `bundle`: the longest block CostLens caused. */
	readonly longestMs: number;
	/** All samples inside `bundle` stacks added up. */
	readonly totalMs: number;
	readonly samples: number;
}

/**
 * Profiles the main thread while `body` runs and attributes samples to one bundle by URL. The host's
 * event-loop delay also contains other extensions' work (TypeScript starting tsserver, built-ins
 * activating on `onLanguage:typescript`); this says which part of it was CostLens's own code.
 */
export async function measureOwnStall(bundle: string, body: () => Promise<void>): Promise<OwnStall> {
	const session = new inspector.Session();
	session.connect();
	const post = <T>(method: string, params?: object): Promise<T> =>
		new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
	try {
		await post('Profiler.enable');
		await post('Profiler.setSamplingInterval', { interval: 250 });
		await post('Profiler.start');
		await body();
		const { profile } = await post<{ profile: Profile }>('Profiler.stop');
		return attribute(profile, bundle);
	} finally {
		session.disconnect();
	}
}

function attribute(profile: Profile, bundle: string): OwnStall {
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const ours = new Map<number, boolean>();
	const isOurs = (id: number): boolean => {
		const known = ours.get(id);
		if (known !== undefined) return known;
		const node = byId.get(id);
		const up = parent.get(id);
		const value = !!node && (node.callFrame.url.includes(bundle) || (up !== undefined && isOurs(up)));
		ours.set(id, value);
		return value;
	};
	let longest = 0;
	let run = 0;
	let total = 0;
	let count = 0;
	profile.samples.forEach((id, i) => {
		// timeDeltas[i] is the time since the previous sample: it belongs to the sample it leads to.
		const delta = (profile.timeDeltas[i] ?? 0) / 1000;
		if (isOurs(id)) {
			run += delta;
			total += delta;
			count += 1;
			longest = Math.max(longest, run);
		} else {
			run = 0;
		}
	});
	if (process.env['COSTLENS_PROFILE_DEBUG']) {
		const self = new Map<string, number>();
		profile.samples.forEach((id, i) => {
			if (!isOurs(id)) return;
			const n = byId.get(id)!;
			const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}`;
			self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
		});
		console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${v.toFixed(1)} ms ${k}`).join('\n'));
	}
	return { longestMs: longest, totalMs: total, samples: count };
}
