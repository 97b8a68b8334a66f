/**
 * `dist/cli.js`: a small dispatcher. Each command family is its own bundle, required only when
 * used, so `costlens run` does not parse the TypeScript compiler and `costlens scan` does not parse
 * SQLite and the SDKs (esbuild.mjs keeps `./scanCommand` and `./pipelineCommands` external; the
 * same relative requires also work in the tsc output).
 */
import { isUsageError, parseCommandLine, USAGE } from './args';

// `require`, not `import`: esbuild inlines the file into the bundle either way, but an import would
// also make tsc copy package.json into out/ when the tests compile.
const { version } = require('../../package.json') as { version: string };

const PIPELINE_COMMANDS = new Set(['run', 'replay', 'usage', 'cache']);

/** Runs the CLI; resolves to the exit code (0 ok, 1 `--fail-on` matched, a request failed or internal error, 2 bad usage). */
export async function main(argv: readonly string[]): Promise<number> {
	try {
		const first = argv.find((a) => !a.startsWith('-'));
		if (first !== undefined && PIPELINE_COMMANDS.has(first)) {
			const { runPipelineCommand } = require('./pipelineCommands') as typeof import('./pipelineCommands');
			return await runPipelineCommand(first, argv.filter((_, i) => i !== argv.indexOf(first)));
		}
		const command = parseCommandLine(argv);
		if (command.kind === 'help') {
			process.stdout.write(USAGE + '\n');
			return 0;
		}
		if (command.kind === 'version') {
			process.stdout.write(`costlens ${version}\n`);
			return 0;
		}
		const { runScan } = require('./scanCommand') as typeof import('./scanCommand');
		return await runScan(command.options, version);
	} catch (error: unknown) {
		// By name, not `instanceof`: each bundle has its own copy of the class.
		if (isUsageError(error)) {
			process.stderr.write(`costlens: ${error.message}\nRun 'costlens --help' for usage.\n`);
			return 2;
		}
		process.stderr.write(`costlens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		return 1;
	}
}

void main(process.argv.slice(2)).then((code) => {
	process.exitCode = code;
});
