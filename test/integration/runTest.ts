// Desktop runner: downloads VS Code (needs network) and runs the suite in its extension host.
// On machines without network, test/e2e/runIntegration.mjs runs the same index.js inside code-server.
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
	const root = path.resolve(__dirname, '..', '..', '..');
	try {
		await runTests({
			// engines.vscode's floor and stable, as rust-analyzer does.
			version: process.env['COSTLENS_VSCODE_VERSION'] ?? 'stable',
			extensionDevelopmentPath: root,
			extensionTestsPath: path.join(__dirname, 'index'),
			launchArgs: [path.join(root, 'test', 'fixtures', 'workspace'), '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
			extensionTestsEnv: { COSTLENS_TESTING: 'true' },
		});
	} catch (e: unknown) {
		console.error(`Integration tests failed: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	}
}

void main();
