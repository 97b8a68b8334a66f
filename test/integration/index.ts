// Entry point for the extension-host test run (`--extensionTestsPath=…/out/test/integration/index`).
// Works the same under @vscode/test-electron and inside code-server's extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';
// mocha 11 is CommonJS; `import =` keeps the require() call as is.
import Mocha = require('mocha');

/** Files run last: the main-thread stall test calls the bench-only naive load after everything else. */
const LAST = ['mainThread.test.js'];

/**
 * Logs every result with console.log (the only channel code-server forwards to the harness) and ends
 * with exactly `N passed, N failed`, the line test/runAll.mjs reads.
 */
class ConsoleReporter extends Mocha.reporters.Base {
	constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
		super(runner, options);
		let passed = 0;
		let failed = 0;
		runner.on('suite', (suite) => {
			if (suite.title) console.log(`\n${suite.fullTitle()}`);
		});
		runner.on('pass', (test) => {
			passed += 1;
			console.log(`  ✔ ${test.title} (${test.duration ?? 0} ms)`);
		});
		runner.on('fail', (test, err: Error) => {
			failed += 1;
			console.log(`  ✘ ${test.fullTitle()}\n    ${(err.stack ?? err.message).split('\n').slice(0, 8).join('\n    ')}`);
		});
		runner.on('pending', (test) => console.log(`  - ${test.title} (pending)`));
		runner.once('end', () => console.log(`\n${passed} passed, ${failed} failed`));
	}
}

export function run(): Promise<void> {
	const grep = process.env['COSTLENS_MOCHA_GREP'];
	const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: ConsoleReporter });
	if (grep) mocha.grep(grep);
	const files = fs
		.readdirSync(__dirname)
		.filter((f) => f.endsWith('.test.js'))
		.sort((a, b) => Number(LAST.includes(a)) - Number(LAST.includes(b)) || a.localeCompare(b));
	for (const file of files) mocha.addFile(path.join(__dirname, file));
	return new Promise((resolve, reject) => {
		try {
			mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed.`)) : resolve()));
		} catch (e: unknown) {
			console.log(`0 passed, 1 failed (${e instanceof Error ? e.message : String(e)})`);
			reject(e instanceof Error ? e : new Error(String(e)));
		}
	});
}
