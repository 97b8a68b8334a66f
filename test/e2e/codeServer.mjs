// Runs a real VS Code (code-server 4.100.3 = VS Code 1.100.3) for the extension-host and
// end-to-end suites, fully isolated from the home directory, and drives it with Debian's chromium.
// See the shared notes, e2e-in-real-vscode.md for why code-server rather than @vscode/test-electron.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of this file (`test/e2e`). */
export const e2eDir = path.dirname(fileURLToPath(import.meta.url));
/** The extension's repository root (what `extensionDevelopmentPath` points at). */
export const repoRoot = path.resolve(e2eDir, '..', '..');
/** The code-server launcher installed by `test/e2e/setup.sh`. */
export const codeServerBin = path.join(e2eDir, 'node_modules', '.bin', 'code-server');
/** Debian's chromium unless `CHROMIUM_PATH` says otherwise. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Settings that keep the workbench quiet, offline and deterministic. */
const baseSettings = {
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.enableExperiments': false,
	'security.workspace.trust.enabled': false,
	'telemetry.telemetryLevel': 'off',
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'extensions.ignoreRecommendations': true,
	'update.mode': 'none',
	'git.enabled': false,
	'npm.fetchOnlinePackageInfo': false,
	'typescript.disableAutomaticTypeAcquisition': true,
	'remote.autoForwardPorts': false,
	'remote.restoreForwardedPorts': false,
	'chat.commandCenter.enabled': false,
};

/** Live servers, so that exit and signals never leave a code-server behind. */
const live = new Set();
let handlersInstalled = false;

function installExitHandlers() {
	if (handlersInstalled) return;
	handlersInstalled = true;
	process.on('exit', () => {
		for (const server of live) server.killNow();
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			if (stopping) {
				// A second Ctrl+C: no more waiting.
				for (const server of live) server.killNow();
				process.exit(130);
			}
			stopping = true;
			const code = 128 + (os.constants.signals[signal] ?? 1);
			Promise.allSettled([...live].map((server) => server.stop())).finally(() => process.exit(code));
		});
	}
}
let stopping = false;

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/** True when `test/e2e/setup.sh` has installed code-server. */
export function codeServerInstalled() {
	return existsSync(codeServerBin) && existsSync(path.join(e2eDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules'));
}

/**
 * Starts code-server on `workspace` in a throw-away profile and resolves once `/healthz` answers.
 * `env` reaches the extension host. `timeoutSeconds` (default 300; 0 = unbounded) wraps the
 * process in coreutils `timeout` so that a crashed test run cannot leave it running.
 * `vsix`: install that package into the fresh extensions dir before starting, as a user would.
 * @param {{ workspace: string, env?: Record<string, string | undefined>, port?: number, timeoutSeconds?: number,
 *   settings?: Record<string, unknown>, machineSettings?: Record<string, unknown>, quiet?: boolean, vsix?: string }} options
 * @returns {Promise<{ url: string, port: number, host: string, runDir: string, logFile: string,
 *   remoteUri(absPath: string): string, exited: Promise<number | null>, stop(): Promise<void> }>}
 */
export async function startCodeServer({ workspace, env = {}, port, timeoutSeconds = 300, settings = {}, machineSettings, quiet = true, vsix }) {
	if (!codeServerInstalled()) {
		throw new Error(`code-server is not installed: run \`bash test/e2e/setup.sh\` (looked for ${codeServerBin})`);
	}
	installExitHandlers();
	const host = '127.0.0.1'; // webviews need a secure context: 127.0.0.1/localhost only
	const chosenPort = port ?? (await freePort());
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'costlens-code-server-'));
	const userDataDir = path.join(runDir, 'user-data');
	mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
	writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...baseSettings, ...settings }, null, '\t'));
	// The workbench is a remote window: `scope: machine` settings (base URLs, the sidecar's Node) apply
	// only from the remote machine's settings, user-data/Machine/settings.json, not from User/.
	if (machineSettings) {
		mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
		writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, '\t'));
	}
	const configFile = path.join(runDir, 'config.yaml');
	writeFileSync(configFile, '');
	const logFile = path.join(runDir, 'code-server.log');
	const logFd = openSync(logFile, 'a');

	const args = [
		'--bind-addr', `${host}:${chosenPort}`,
		'--auth', 'none',
		'--disable-telemetry',
		'--disable-update-check',
		'--disable-getting-started-override',
		// Restricted Mode tests opt back in with settings['security.workspace.trust.enabled'] = true.
		...(settings['security.workspace.trust.enabled'] === true ? [] : ['--disable-workspace-trust']),
		'--user-data-dir', userDataDir,
		'--extensions-dir', path.join(runDir, 'extensions'),
		'--config', configFile,
		workspace,
	];
	if (vsix) {
		const installed = spawnSync('timeout', ['120', codeServerBin, '--user-data-dir', userDataDir, '--extensions-dir', path.join(runDir, 'extensions'),
			'--config', configFile, '--install-extension', vsix], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: path.join(runDir, 'xdg', 'config'), XDG_DATA_HOME: path.join(runDir, 'xdg', 'data'), XDG_CACHE_HOME: path.join(runDir, 'xdg', 'cache') } });
		if (installed.status !== 0) {
			rmSync(runDir, { recursive: true, force: true });
			throw new Error(`code-server --install-extension ${vsix} failed (${installed.status}):\n${installed.stdout}${installed.stderr}`);
		}
	}
	const [command, commandArgs] = timeoutSeconds > 0
		? ['timeout', ['--kill-after=10', String(timeoutSeconds), codeServerBin, ...args]]
		: [codeServerBin, args];
	const childEnv = { ...process.env };
	for (const [key, value] of Object.entries(env)) {
		if (value === undefined) delete childEnv[key];
		else childEnv[key] = value;
	}
	Object.assign(childEnv, {
		XDG_CONFIG_HOME: path.join(runDir, 'xdg', 'config'),
		XDG_DATA_HOME: path.join(runDir, 'xdg', 'data'),
		XDG_CACHE_HOME: path.join(runDir, 'xdg', 'cache'),
	});
	// Our own process group, so that stopping it takes the extension host and watchers with it.
	const child = spawn(command, commandArgs, { cwd: workspace, env: childEnv, detached: true, stdio: ['ignore', logFd, logFd] });
	closeSync(logFd);
	let exitCode;
	const exited = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			exitCode = code ?? (signal ? 128 : null);
			resolve(exitCode);
		});
		child.once('error', () => resolve((exitCode = 127)));
	});

	const killGroup = (signal) => {
		if (exitCode !== undefined || child.pid === undefined) return;
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	};
	const server = {
		url: `http://${host}:${chosenPort}`,
		port: chosenPort,
		host,
		runDir,
		logFile,
		exited,
		/** `vscode-remote://` URI of a path on this machine, as the workbench payload expects. */
		remoteUri: (absPath) => `vscode-remote://${host}:${chosenPort}${path.resolve(absPath)}`,
		killNow() {
			killGroup('SIGKILL');
			live.delete(server);
			rmSync(runDir, { recursive: true, force: true });
		},
		async stop() {
			live.delete(server);
			killGroup('SIGTERM');
			const gone = await Promise.race([exited.then(() => true), delay(5000).then(() => false)]);
			if (!gone) {
				killGroup('SIGKILL');
				await Promise.race([exited, delay(2000)]);
			}
			rmSync(runDir, { recursive: true, force: true });
		},
	};
	live.add(server);

	const deadline = Date.now() + 60_000;
	while (true) {
		if (exitCode !== undefined) {
			const log = tail(logFile);
			rmSync(runDir, { recursive: true, force: true });
			throw new Error(`code-server exited (${exitCode}) before it was ready:\n${log}`);
		}
		try {
			const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) });
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			const log = tail(logFile);
			await server.stop();
			throw new Error(`code-server did not answer /healthz within 60 s:\n${log}`);
		}
		await delay(200);
	}
	if (!quiet) process.stderr.write(`code-server ${server.url} (log ${logFile})\n`);
	return server;
}

/** The last `lines` lines of a log file, for error messages. */
export function tail(file, lines = 40) {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

function delay(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/**
 * The workbench URL that opens `folder` with a payload (`extensionDevelopmentPath`,
 * `extensionTestsPath`, `openFile`…). Payload values are `vscode-remote://` URIs (see `remoteUri`).
 * @param {{ url: string }} server
 * @param {{ folder: string, payload?: Array<[string, string]> }} options
 */
export function workbenchUrl(server, { folder, payload = [] }) {
	const query = [`folder=${encodeURIComponent(path.resolve(folder))}`];
	if (payload.length > 0) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
	return `${server.url}/?${query.join('&')}`;
}

/** Headless Debian chromium through playwright-core (a fresh profile per launch). */
export async function launchChromium() {
	if (!existsSync(chromiumPath)) throw new Error(`chromium not found at ${chromiumPath}: run \`bash test/e2e/setup.sh\` (or set CHROMIUM_PATH)`);
	const { chromium } = await import('playwright-core');
	return chromium.launch({
		executablePath: chromiumPath,
		headless: true,
		timeout: 60_000,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			'--disable-dev-shm-usage'],
	});
}
