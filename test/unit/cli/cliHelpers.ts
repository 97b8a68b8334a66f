import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CostReport } from '../../../src/core/report';
import { repoRoot } from '../helpers';

export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

/** The CLI tests run the bundle, as users do; `npm test` builds it first. */
export function assertCliBuilt(): void {
	assert.ok(fs.existsSync(cliPath), `${cliPath} is missing: run \`npm run build\` (or \`node esbuild.mjs cli\`) before the CLI tests`);
}

export interface CliResult {
	readonly status: number | null;
	readonly stdout: string;
	readonly stderr: string;
}

export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
	const result = spawnSync(process.execPath, [cliPath, ...args], {
		cwd: options.cwd ?? repoRoot,
		encoding: 'utf8',
		env: { ...process.env, NO_COLOR: '1', ...options.env },
		maxBuffer: 64 * 1024 * 1024,
	});
	if (result.error) throw result.error;
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function runJson(args: readonly string[], options: { cwd?: string } = {}): CostReport {
	const result = runCli([...args, '--json'], options);
	assert.equal(result.status, 0, `costlens ${args.join(' ')} --json exited ${result.status}: ${result.stderr}`);
	return JSON.parse(result.stdout) as CostReport;
}

/** A fresh folder with the given files (paths relative to it, '/'-separated). */
export function makeTree(files: Readonly<Record<string, string | Buffer>>): string {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-cli-'));
	for (const [relative, content] of Object.entries(files)) {
		const full = path.join(root, ...relative.split('/'));
		fs.mkdirSync(path.dirname(full), { recursive: true });
		fs.writeFileSync(full, content);
	}
	return root;
}

export function removeTree(root: string): void {
	fs.rmSync(root, { recursive: true, force: true });
}

/** A file with one Anthropic call, so a test can see whether the file was scanned. */
export function anthropicCall(model = 'claude-haiku-4-5'): string {
	return `import Anthropic from '@anthropic-ai/sdk';
const client = new Anthropic();
export async function run(question: string) {
	return client.messages.create({
		model: '${model}',
		max_tokens: 100,
		messages: [{ role: 'user', content: question }],
	});
}
`;
}
