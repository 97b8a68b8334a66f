// Whole-tree scan: `costlens scan <tree> --json` against ESLint 9 with no rules over the same tree.
// `npm run build && npm run compile-tests && node out/bench/scan.bench.js`
//
// - Tree: ~100k lines generated deterministically (seeded) into bench/.tree/ (gitignored; reused
//   when its stamp matches). It is plain modern JavaScript (ES2022 modules), because ESLint's default
//   parser (espree) cannot read TypeScript: in plain JS both tools parse every file, so the
//   comparison is like for like. About one file in eight calls an SDK. Note: CostLens's regex
//   prefilter rejects files with no SDK call shape before parsing, so it parses only about an eighth
//   of the files while ESLint parses all; that is the product's real behaviour on real trees, and
//   is what this figure measures (it is not a parser-vs-parser comparison).
// - Peer: ESLint with a temporary flat config `[{ files: ['**/*.js'], rules: {} }]` (no lookup of
//   the repo's config), so it reads, parses and walks each file but checks nothing: the floor of a
//   JS-aware tool. ESLint with real rules would be slower.
// - Both run as fresh CLI processes (start-up included, as a user or CI sees them), alternately,
//   the first one flipping each round; figures are medians.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, printFigures, printTable, repoRoot, round, seededRandom } from './benchUtil';

const RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 5);
const TARGET_LINES = 100_000;
const GENERATOR_VERSION = 1;
const treeDir = path.join(repoRoot, 'bench', '.tree');

interface Tree {
	readonly files: number;
	readonly lines: number;
	readonly sdkCalls: number;
}

/** Writes the tree unless a matching one is there already. */
function ensureTree(): Tree {
	const stampFile = path.join(treeDir, '.stamp.json');
	try {
		const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as Tree & { version: number; targetLines: number };
		if (stamp.version === GENERATOR_VERSION && stamp.targetLines === TARGET_LINES) return stamp;
	} catch {
		// No tree yet, or an unreadable stamp: regenerate.
	}
	fs.rmSync(treeDir, { recursive: true, force: true });
	const random = seededRandom(20261126);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
	let files = 0;
	let lines = 0;
	let sdkCalls = 0;
	const packages = ['billing', 'projects', 'timesheets', 'invoices', 'search', 'notifications', 'auth', 'reports', 'support', 'integrations'];
	while (lines < TARGET_LINES) {
		const pkg = pick(packages);
		const withSdk = random() < 0.125;
		const body = generateModule(random, files, withSdk);
		const file = path.join(treeDir, 'packages', pkg, 'src', `${pick(['service', 'handler', 'model', 'util', 'view'])}${files}.js`);
		fs.mkdirSync(path.dirname(file), { recursive: true });
		fs.writeFileSync(file, body.text);
		files++;
		lines += body.text.split('\n').length;
		sdkCalls += body.sdkCalls;
	}
	const tree: Tree = { files, lines, sdkCalls };
	fs.writeFileSync(stampFile, JSON.stringify({ ...tree, version: GENERATOR_VERSION, targetLines: TARGET_LINES }));
	return tree;
}

function generateModule(random: () => number, index: number, withSdk: boolean): { text: string; sdkCalls: number } {
	const parts: string[] = [`// Generated module ${index}.`];
	let sdkCalls = 0;
	if (withSdk) {
		const anthropic = random() < 0.5;
		parts.push(anthropic ? `import Anthropic from '@anthropic-ai/sdk';\nconst client = new Anthropic();` : `import OpenAI from 'openai';\nconst client = new OpenAI();`);
		parts.push(`const PROMPT_${index} = \`You are a helpful assistant for module ${index}. Answer briefly and cite the record id.
Never invent data. If the record is missing, say so. Use the user's language.\`;`);
		const calls = 1 + Math.floor(random() * 2);
		for (let c = 0; c < calls; c++) {
			parts.push(
				anthropic
					? `export async function ask${c}(record, question) {
	const response = await client.messages.create({
		model: '${['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'][Math.floor(random() * 3)]}',
		max_tokens: ${[256, 512, 1024][Math.floor(random() * 3)]},
		system: PROMPT_${index},
		messages: [{ role: 'user', content: \`Record \${record.id}: \${JSON.stringify(record)}\\n\\n\${question}\` }],
	});
	return response.content[0]?.type === 'text' ? response.content[0].text : '';
}`
					: `export async function ask${c}(record, question) {
	const completion = await client.chat.completions.create({
		model: '${['gpt-4o-mini', 'gpt-4o', 'gpt-5-mini'][Math.floor(random() * 3)]}',
		max_tokens: ${[128, 256, 512][Math.floor(random() * 3)]},
		messages: [
			{ role: 'system', content: PROMPT_${index} },
			{ role: 'user', content: \`Record \${record.id}: \${JSON.stringify(record)}\\n\\n\${question}\` },
		],
	});
	return completion.choices[0]?.message.content ?? '';
}`,
			);
			sdkCalls++;
		}
	}
	const blocks = 6 + Math.floor(random() * 6);
	for (let b = 0; b < blocks; b++) parts.push(plainBlock(random, index, b));
	return { text: parts.join('\n\n') + '\n', sdkCalls };
}

/** Ordinary application code of several shapes (classes, async, regexes, destructuring, templates). */
function plainBlock(random: () => number, index: number, b: number): string {
	const name = `item${index}_${b}`;
	switch (Math.floor(random() * 4)) {
		case 0:
			return `export class Store${b} {
	#items = new Map();
	static fromJSON(json) {
		const store = new Store${b}();
		for (const { id, ...rest } of JSON.parse(json)) store.set(id, rest);
		return store;
	}
	set(id, value) {
		if (typeof id !== 'string' || id.length === 0) throw new TypeError(\`bad id: \${id}\`);
		this.#items.set(id, { ...value, updatedAt: Date.now() });
		return this;
	}
	get(id) {
		return this.#items.get(id) ?? null;
	}
	*entries() {
		for (const [id, value] of this.#items) yield { id, ...value };
	}
	get size() {
		return this.#items.size;
	}
}`;
		case 1:
			return `export async function load_${name}(fetchImpl, ids, { retries = 3, signal } = {}) {
	const results = [];
	for (const id of ids) {
		let attempt = 0;
		while (true) {
			try {
				const response = await fetchImpl(\`/api/${name}/\${encodeURIComponent(id)}\`, { signal });
				if (!response.ok) throw new Error(\`HTTP \${response.status}\`);
				results.push(await response.json());
				break;
			} catch (error) {
				if (++attempt >= retries || signal?.aborted) throw error;
				await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 100));
			}
		}
	}
	return results;
}`;
		case 2:
			return `const PATTERN_${b} = /^(?<key>[a-z][a-z0-9_]*)\\s*=\\s*(?<value>.*)$/i;

export function parse_${name}(text) {
	const out = {};
	for (const raw of text.split(/\\r?\\n/)) {
		const line = raw.trim();
		if (!line || line.startsWith('#')) continue;
		const match = PATTERN_${b}.exec(line);
		if (!match?.groups) continue;
		const { key, value } = match.groups;
		out[key.toLowerCase()] = value === 'true' ? true : value === 'false' ? false : Number.isNaN(Number(value)) ? value : Number(value);
	}
	return out;
}`;
		default:
			return `export function summarize_${name}(rows) {
	const totals = rows.reduce(
		(acc, { amount = 0, currency = 'EUR', paid }) => {
			acc.count += 1;
			acc.byCurrency[currency] = (acc.byCurrency[currency] ?? 0) + amount;
			if (!paid) acc.unpaid += amount;
			return acc;
		},
		{ count: 0, unpaid: 0, byCurrency: {} },
	);
	const lines = Object.entries(totals.byCurrency)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([currency, amount]) => \`\${currency}: \${amount.toFixed(2)}\`);
	return { ...totals, text: lines.join('\\n') };
}`;
	}
}

function timed(command: string, args: readonly string[]): { seconds: number; stdout: string; stderr: string; status: number | null } {
	const t0 = process.hrtime.bigint();
	const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	if (result.error) throw result.error;
	return { seconds, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function main(): void {
	const cli = path.join(repoRoot, 'dist', 'cli.js');
	if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
	const eslintBin = path.join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
	if (!fs.existsSync(eslintBin)) throw new Error('eslint is not installed (root devDependency)');

	const tree = ensureTree();
	const relTree = path.relative(repoRoot, treeDir);
	const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-bench-eslint-'));
	const config = path.join(configDir, 'eslint.config.mjs');
	fs.writeFileSync(config, `export default [{ files: ['**/*.js'], linterOptions: { reportUnusedDisableDirectives: 'off' }, rules: {} }];\n`);

	const costlensArgs = [cli, 'scan', relTree, '--json'];
	const eslintArgs = [eslintBin, '--no-config-lookup', '-c', config, relTree];

	try {
		// Checks, untimed: both tools must see every file, and ESLint must really parse them.
		const report = JSON.parse(timed(process.execPath, costlensArgs).stdout) as { callSites: unknown[]; skipped: unknown[] };
		if (report.callSites.length !== tree.sdkCalls || report.skipped.length !== 0) {
			throw new Error(`costlens saw ${report.callSites.length} call sites (expected ${tree.sdkCalls}) and skipped ${report.skipped.length} files`);
		}
		const check = timed(process.execPath, [...eslintArgs.slice(0, -1), '--format', 'json', relTree]);
		const linted = JSON.parse(check.stdout) as { filePath: string; messages: { message: string }[] }[];
		const problems = linted.flatMap((f) => f.messages.map((m) => `${f.filePath}: ${m.message}`));
		if (linted.length !== tree.files || problems.length > 0) {
			throw new Error(`eslint linted ${linted.length} of ${tree.files} files; problems: ${problems.slice(0, 3).join('; ')}`);
		}

		const costlensSeconds: number[] = [];
		const eslintSeconds: number[] = [];
		for (let run = 0; run < RUNS; run++) {
			const order: [readonly string[], number[]][] = [
				[costlensArgs, costlensSeconds],
				[eslintArgs, eslintSeconds],
			];
			if (run % 2 === 1) order.reverse();
			for (const [args, into] of order) {
				const result = timed(process.execPath, args);
				if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
				into.push(result.seconds);
			}
		}

		const costlensRate = tree.files / median(costlensSeconds);
		const eslintRate = tree.files / median(eslintSeconds);
		console.log(`scan: ${tree.files} plain-JS files, ${tree.lines.toLocaleString('en-US')} lines, ${tree.sdkCalls} SDK calls; ${RUNS} interleaved runs each, fresh processes`);
		printTable(
			['', 'median s', 'min s', 'files/s', 'lines/s'],
			[
				['costlens scan --json', median(costlensSeconds).toFixed(2), Math.min(...costlensSeconds).toFixed(2), costlensRate.toFixed(0), (tree.lines / median(costlensSeconds)).toFixed(0)],
				['eslint (no rules, espree)', median(eslintSeconds).toFixed(2), Math.min(...eslintSeconds).toFixed(2), eslintRate.toFixed(0), (tree.lines / median(eslintSeconds)).toFixed(0)],
			],
		);
		console.log(`throughput ratio (costlens / eslint): ${(costlensRate / eslintRate).toFixed(2)}×`);
		printFigures([
			{ bench: 'scan', metric: 'files/s ratio vs eslint (no rules)', value: round(costlensRate / eslintRate), unit: '×', peer: 'eslint 9 (no rules)', peerValue: 1 },
			{ bench: 'scan', metric: 'files/s', value: round(costlensRate), unit: 'files/s', peer: 'eslint 9 (no rules)', peerValue: round(eslintRate) },
			{ bench: 'scan', metric: 'median wall time', value: round(median(costlensSeconds)), unit: 's', peer: 'eslint 9 (no rules)', peerValue: round(median(eslintSeconds)) },
		]);
	} finally {
		fs.rmSync(configDir, { recursive: true, force: true });
	}
}

main();
