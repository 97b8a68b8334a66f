// Minimal path arithmetic for origin labels and `readFileSync` paths. The core may not import
// `node:path`, and only '/'-joined relative paths are needed here (backslashes are normalised).

function toSlashes(p: string): string {
	return p.replace(/\\/g, '/');
}

export function dirnameOf(fileName: string): string {
	const p = toSlashes(fileName);
	const i = p.lastIndexOf('/');
	return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}

/** Joins and normalises `.`/`..` segments. */
export function joinPath(...parts: string[]): string {
	const joined = parts.map(toSlashes).filter((p) => p.length > 0).join('/');
	const absolute = joined.startsWith('/');
	const drive = /^[A-Za-z]:/.exec(joined)?.[0];
	const out: string[] = [];
	for (const seg of joined.split('/')) {
		if (seg === '' || seg === '.') continue;
		if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== drive) out.pop();
		else if (seg === '..' && absolute) continue;
		else out.push(seg);
	}
	return (absolute ? '/' : '') + out.join('/');
}

/** `to` relative to directory `fromDir`, always starting with `./` or `../`. */
export function relativePath(fromDir: string, to: string): string {
	const a = joinPath(fromDir).split('/').filter(Boolean);
	const b = joinPath(to).split('/').filter(Boolean);
	let i = 0;
	while (i < a.length && i < b.length && a[i] === b[i]) i++;
	const up = a.length - i;
	const rest = b.slice(i).join('/');
	return up === 0 ? './' + rest : '../'.repeat(up) + rest;
}
