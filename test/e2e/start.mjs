#!/usr/bin/env node
// `npm start` (after `npm run build`): shows the CLI's report for examples/, then serves a real
// VS Code (code-server, 127.0.0.1 only) with CostLens loaded from this repository on examples/
// and waits for Ctrl+C. PORT picks the port (default 8080, else any free one).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeServerInstalled, e2eDir, freePort, repoRoot, startCodeServer, workbenchUrl } from './codeServer.mjs';

const examples = existsSync(path.join(repoRoot, 'examples')) ? path.join(repoRoot, 'examples') : path.join(repoRoot, 'test', 'fixtures', 'workspace');
const relExamples = path.relative(repoRoot, examples);

function heading(text) {
	console.log(`\n── ${text} ${'─'.repeat(Math.max(0, 70 - text.length))}`);
}

if (!codeServerInstalled()) {
	heading('installing code-server (test/e2e/setup.sh, first run only)');
	const setup = spawnSync('bash', [path.join(e2eDir, 'setup.sh')], { stdio: 'inherit' });
	if (setup.status !== 0) {
		console.error('setup failed; see the messages above');
		process.exit(1);
	}
}

heading(`node dist/cli.js scan ${relExamples}`);
const cli = path.join(repoRoot, 'dist', 'cli.js');
if (existsSync(cli)) {
	const scan = spawnSync(process.execPath, [cli, 'scan', relExamples], { cwd: repoRoot, stdio: 'inherit' });
	if (scan.status !== 0) console.log(`(the CLI exited with ${scan.status ?? scan.signal}; continuing)`);
} else {
	console.log('dist/cli.js is missing (the CLI was not built); continuing without it');
}

// The pipeline on a sample workload, offline: the demo provider answers (simulated, no key, nothing
// billed), into a throw-away database so every run starts cold.
const workload = path.join(repoRoot, 'examples', 'workloads', 'support.jsonl');
if (existsSync(cli) && existsSync(workload)) {
	const db = path.join(os.tmpdir(), `costlens-start-${process.pid}.db`);
	const args = ['replay', path.relative(repoRoot, workload), '--cascade', 'claude-haiku-4-5:claude-sonnet-4-6', '--concurrency', '8', '--db', db];
	heading(`node dist/cli.js ${args.slice(0, -2).join(' ')}`);
	const replay = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, stdio: 'inherit' });
	if (replay.status !== 0) console.log(`(the replay exited with ${replay.status ?? replay.signal}; continuing)`);
	for (const suffix of ['', '-wal', '-shm', '.lock']) rmSync(db + suffix, { force: true });
}

const desktop = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
if (desktop.status === 0 && desktop.stdout.trim()) {
	heading('desktop VS Code found');
	console.log('You can use it instead of the browser:');
	console.log(`  code --extensionDevelopmentPath=${repoRoot} ${examples}`);
}

async function pickPort() {
	const wanted = Number(process.env.PORT || 8080);
	const probe = await import('node:net').then(({ createServer }) => new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(wanted, '127.0.0.1', () => server.close(() => resolve(true)));
	}));
	return probe ? wanted : freePort();
}

heading('VS Code in the browser (code-server 4.100.3, VS Code 1.100.3)');
const server = await startCodeServer({ workspace: examples, port: await pickPort(), timeoutSeconds: 0 });
const url = workbenchUrl(server, { folder: examples, payload: [['extensionDevelopmentPath', server.remoteUri(repoRoot)]] });
console.log(`CostLens is loaded from ${repoRoot} (Extension Development Host) on ${relExamples}/.`);
console.log('Open this URL (listening on 127.0.0.1 only; forward the port to reach it from elsewhere):\n');
console.log(`  ${url}\n`);
console.log('Open a file under src/ to see the cost above each call; the CostLens icon in the activity bar has the overview.');
console.log(`code-server log: ${server.logFile}`);
console.log('Press Ctrl+C to stop.');

const code = await server.exited;
// Reached only if code-server stopped by itself (Ctrl+C exits through the handler in codeServer.mjs).
console.log(`code-server exited (${code})`);
await server.stop();
process.exit(code === 0 ? 0 : 1);
