/**
 * Which Node.js runs `dist/sidecar.js`. The cache uses the native better-sqlite3 module, which is
 * built for the user's Node.js (ABI-specific in v12), not for VS Code's Electron; so the desktop
 * extension host's own runtime is not an option. No `vscode` here: unit-tested in plain Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RuntimeInputs {
	/** `costlens.sidecar.nodePath` (machine scope), trimmed; empty/undefined = not set. */
	readonly setting: string | undefined;
	/** Whether the file named by `setting` exists and is a file. */
	readonly settingIsFile: boolean;
	/** `process.versions.electron`: undefined when the extension host is plain Node (code-server, remote). */
	readonly electronVersion: string | undefined;
	/** `process.execPath`. */
	readonly execPath: string;
	/** `node` found on PATH, or undefined. */
	readonly pathNode: string | undefined;
}

export type RuntimeChoice =
	| { readonly ok: true; readonly command: string; readonly source: 'setting' | 'extensionHost' | 'path' }
	| { readonly ok: false; readonly reason: string };

const WHY_NODE =
	'The CostLens cache uses the native better-sqlite3 module, which is built for Node.js and cannot load in the Electron runtime of desktop VS Code.';

/** Pure: the setting wins; else the extension host when it is plain Node; else `node` from PATH; else a clear error. */
export function chooseNodeRuntime(inputs: RuntimeInputs): RuntimeChoice {
	const setting = inputs.setting?.trim();
	if (setting) {
		if (!path.isAbsolute(setting) && !path.win32.isAbsolute(setting)) {
			return { ok: false, reason: `\`costlens.sidecar.nodePath\` must be an absolute path to a Node.js executable (it is \`${setting}\`).` };
		}
		if (!inputs.settingIsFile) return { ok: false, reason: `\`costlens.sidecar.nodePath\` points to \`${setting}\`, which does not exist or is not a file.` };
		return { ok: true, command: setting, source: 'setting' };
	}
	if (inputs.electronVersion === undefined) return { ok: true, command: inputs.execPath, source: 'extensionHost' };
	if (inputs.pathNode) return { ok: true, command: inputs.pathNode, source: 'path' };
	return {
		ok: false,
		reason: `CostLens could not find Node.js to run its sidecar. ${WHY_NODE} Install Node.js 20 or later and put \`node\` on PATH, or set \`costlens.sidecar.nodePath\` in your user settings, then run "CostLens: Restart Sidecar".`,
	};
}

/** First executable called `name` in `pathEnv` (honours PATHEXT on Windows). */
export function findOnPath(name: string, pathEnv: string | undefined, platform: NodeJS.Platform = process.platform, pathExt = process.env['PATHEXT']): string | undefined {
	if (!pathEnv) return undefined;
	const windows = platform === 'win32';
	const separator = windows ? ';' : ':';
	const extensions = windows ? (pathExt ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : [''];
	for (const dir of pathEnv.split(separator)) {
		// An empty or relative PATH entry means "the current directory", which may be an untrusted checkout.
		if (!dir || !(windows ? path.win32.isAbsolute(dir) : path.isAbsolute(dir))) continue;
		for (const ext of extensions) {
			const candidate = (windows ? path.win32 : path.posix).join(dir, name + ext.toLowerCase());
			if (isExecutableFile(candidate, windows)) return candidate;
		}
	}
	return undefined;
}

function isExecutableFile(file: string, windows: boolean): boolean {
	try {
		if (!fs.statSync(file).isFile()) return false;
		if (!windows) fs.accessSync(file, fs.constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

function isFile(file: string): boolean {
	try {
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** The runtime for this extension host, looking at the file system and PATH only when needed. */
export function resolveNodeRuntime(setting: string | undefined): RuntimeChoice {
	const trimmed = setting?.trim() || undefined;
	const electronVersion = process.versions.electron;
	const needsPath = !trimmed && electronVersion !== undefined;
	return chooseNodeRuntime({
		setting: trimmed,
		settingIsFile: trimmed !== undefined && isFile(trimmed),
		electronVersion,
		execPath: process.execPath,
		pathNode: needsPath ? findOnPath('node', process.env['PATH']) : undefined,
	});
}
