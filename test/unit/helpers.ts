import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, found from the compiled test's location (out/test/unit/…) or the source tree. */
export const repoRoot: string = (() => {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'esbuild.mjs'))) return dir;
		if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
	}
})();

export function fixturePath(relative: string): string {
	return path.join(repoRoot, 'test', 'fixtures', relative);
}

export function readFixture(relative: string): string {
	return fs.readFileSync(fixturePath(relative), 'utf8');
}
