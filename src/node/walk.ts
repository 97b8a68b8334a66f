import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * Extensions the analyser reads. `.d.ts` files and Python stubs (`.pyi`) hold no calls and are left
 * out (a stub named explicitly is not a source file either).
 */
export const SOURCE_FILE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.py'];

/**
 * Folders never descended into, whatever `.gitignore` says: dependencies, VCS data, build output, and
 * Python's virtualenvs and caches (a venv holds the SDKs' own sources, which call themselves).
 */
export const ALWAYS_SKIPPED_DIRS: ReadonlySet<string> = new Set([
	'node_modules', '.git', 'dist', 'out', 'build', '.next', 'coverage',
	'.venv', 'venv', 'site-packages', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache', '.ruff_cache',
]);

export interface WalkIssue {
	/** The path as the caller gave it, or the offending path below it. */
	readonly path: string;
	readonly message: string;
}

export interface WalkResult {
	/** Absolute paths, sorted, without duplicates. */
	readonly files: readonly string[];
	/** Paths that could not be read or are not source files; never fatal. */
	readonly issues: readonly WalkIssue[];
}

interface IgnoreScope {
	/** Directory holding the `.gitignore`; its rules match paths relative to it. */
	readonly dir: string;
	readonly rules: Ignore;
}

export function isSourceFile(fileName: string): boolean {
	if (/\.d\.(m|c)?ts$/.test(fileName)) return false;
	return SOURCE_FILE_EXTENSIONS.includes(path.extname(fileName).toLowerCase());
}

/**
 * Expands files and folders into the source files to analyse. Folders are walked recursively in
 * name order, honouring every `.gitignore` from the repository root (the nearest folder holding
 * `.git`) down. A path the user names explicitly is walked even if an ignore file excludes it,
 * as ripgrep does: asking for `bench/.tree` means "that tree", ignored or not.
 * Symlinked folders are not followed (no cycles, no escaping the tree).
 */
export function walkSourceFiles(paths: readonly string[], cwd: string = process.cwd()): WalkResult {
	const files = new Set<string>();
	const issues: WalkIssue[] = [];
	for (const given of paths) {
		const absolute = path.resolve(cwd, given);
		let stat: fs.Stats;
		try {
			stat = fs.statSync(absolute);
		} catch (error: unknown) {
			issues.push({ path: given, message: describeError(error) });
			continue;
		}
		if (stat.isFile()) {
			if (isSourceFile(absolute)) files.add(absolute);
			else issues.push({ path: given, message: 'not a TypeScript, JavaScript or Python file' });
		} else if (stat.isDirectory()) {
			walkDirectory(absolute, ancestorScopes(absolute), files, issues, cwd);
		} else {
			issues.push({ path: given, message: 'not a regular file or folder' });
		}
	}
	return { files: [...files].sort(), issues };
}

function walkDirectory(dir: string, inherited: readonly IgnoreScope[], files: Set<string>, issues: WalkIssue[], cwd: string): void {
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, { withFileTypes: true });
	} catch (error: unknown) {
		issues.push({ path: displayPath(dir, cwd), message: describeError(error) });
		return;
	}
	const scopes = [...inherited];
	if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
		const rules = readIgnoreFile(path.join(dir, '.gitignore'), issues, cwd);
		if (rules) scopes.push({ dir, rules });
	}
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const entry of entries) {
		const full = path.join(dir, entry.name);
		let isDir = entry.isDirectory();
		let isFile = entry.isFile();
		if (entry.isSymbolicLink()) {
			// A link to a file is read like the file; a link to a folder is not followed.
			try {
				isFile = fs.statSync(full).isFile();
			} catch {
				isFile = false;
			}
			isDir = false;
		}
		if (isDir) {
			if (ALWAYS_SKIPPED_DIRS.has(entry.name) || isIgnored(scopes, full, true)) continue;
			walkDirectory(full, scopes, files, issues, cwd);
		} else if (isFile && isSourceFile(entry.name) && !isIgnored(scopes, full, false)) {
			files.add(full);
		}
	}
}

/**
 * `.gitignore` files above `root`, up to the repository root, that do not exclude `root` itself
 * (an explicitly named path overrides the rules that would hide it).
 */
function ancestorScopes(root: string): IgnoreScope[] {
	const dirs: string[] = [];
	let dir = path.dirname(root);
	let repoTop: string | undefined = fs.existsSync(path.join(root, '.git')) ? root : undefined;
	while (repoTop === undefined) {
		dirs.unshift(dir);
		if (fs.existsSync(path.join(dir, '.git'))) repoTop = dir;
		const parent = path.dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	// Outside any repository, only the ignore files inside the named folder apply.
	if (repoTop === undefined || repoTop === root) return [];
	const scopes: IgnoreScope[] = [];
	for (const d of dirs) {
		const file = path.join(d, '.gitignore');
		if (!fs.existsSync(file)) continue;
		const rules = readIgnoreFile(file, [], d);
		if (rules && !rules.ignores(toPosix(path.relative(d, root)) + '/')) scopes.push({ dir: d, rules });
	}
	return scopes;
}

function readIgnoreFile(file: string, issues: WalkIssue[], cwd: string): Ignore | undefined {
	try {
		return ignore().add(fs.readFileSync(file, 'utf8'));
	} catch (error: unknown) {
		issues.push({ path: displayPath(file, cwd), message: `could not read .gitignore: ${describeError(error)}` });
		return undefined;
	}
}

/** The deepest `.gitignore` with a rule for the path decides, as in git (`!keep.js` below overrides `*.js` above). */
function isIgnored(scopes: readonly IgnoreScope[], full: string, isDir: boolean): boolean {
	for (let i = scopes.length - 1; i >= 0; i--) {
		const scope = scopes[i] as IgnoreScope;
		const relative = toPosix(path.relative(scope.dir, full));
		if (relative === '' || relative.startsWith('../')) continue;
		const verdict = scope.rules.test(isDir ? relative + '/' : relative);
		if (verdict.unignored) return false;
		if (verdict.ignored) return true;
	}
	return false;
}

function toPosix(p: string): string {
	return p.split(path.sep).join('/');
}

function displayPath(full: string, cwd: string): string {
	const relative = path.relative(cwd, full);
	return toPosix(relative === '' ? '.' : relative.startsWith('..') ? full : relative);
}

function describeError(error: unknown): string {
	if (error instanceof Error && 'code' in error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return 'no such file or folder';
		if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
		if (code === 'ENOTDIR') return 'not a folder';
		if (code === 'ELOOP') return 'too many symbolic links';
	}
	return error instanceof Error ? error.message : String(error);
}
