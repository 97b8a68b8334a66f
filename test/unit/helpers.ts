import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, found from the compiled test's location (out/test/unit/…) or the source tree. */
export const repoRoot: string = (() => {
	let dir = __dirname;
	while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'out') dir = path.dirname(dir);
	return dir;
})();

export function fixturePath(relative: string): string {
	return path.join(repoRoot, 'test', 'fixtures', relative);
}

export function readFixture(relative: string): string {
	return fs.readFileSync(fixturePath(relative), 'utf8');
}
