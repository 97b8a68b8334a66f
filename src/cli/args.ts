import { parseArgs } from 'node:util';

export const USAGE = `Usage: costlens scan [paths…] [options]

Finds Anthropic and OpenAI SDK calls in TypeScript/JavaScript files and estimates what they cost.
Paths are files or folders (default: .); folders are walked recursively, honouring .gitignore.

Options:
  --json                       print only the JSON report (schemaVersion 1) on stdout
  --calls-per-day N            calls per day per call site for the monthly figure (default 1000)
  --assumed-output-tokens N    output tokens assumed per call, capped by max_tokens (default 512)
  --prices FILE                JSON price overrides: { "model": { "input": 3, "output": 15 } } (USD per million tokens)
  -h, --help                   show this help
  -v, --version                show the version`;

export interface ScanOptions {
	readonly paths: readonly string[];
	readonly json: boolean;
	readonly callsPerDay: number | undefined;
	readonly assumedOutputTokens: number | undefined;
	readonly pricesFile: string | undefined;
}

export type ParsedCommand = { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'scan'; readonly options: ScanOptions };

/** A command-line mistake: printed as `costlens: <message>` with a usage hint, exit code 2. */
export class UsageError extends Error {}

/** Parses `argv` (without node and the script). Throws `UsageError` for anything it does not understand. */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
	let parsed: ReturnType<typeof parse>;
	try {
		parsed = parse(argv);
	} catch (error: unknown) {
		throw new UsageError(describeParseError(error));
	}
	const { values, positionals } = parsed;
	if (values.help) return { kind: 'help' };
	if (values.version) return { kind: 'version' };
	const [command, ...paths] = positionals;
	if (command === undefined) throw new UsageError('missing command (did you mean `costlens scan .`?)');
	if (command !== 'scan') throw new UsageError(`unknown command '${command}'`);
	return {
		kind: 'scan',
		options: {
			paths: paths.length > 0 ? paths : ['.'],
			json: values.json ?? false,
			callsPerDay: optionalNumber('--calls-per-day', values['calls-per-day'], false),
			assumedOutputTokens: optionalNumber('--assumed-output-tokens', values['assumed-output-tokens'], true),
			pricesFile: values.prices,
		},
	};
}

function parse(argv: readonly string[]) {
	return parseArgs({
		args: [...argv],
		allowPositionals: true,
		strict: true,
		options: {
			json: { type: 'boolean' },
			'calls-per-day': { type: 'string' },
			'assumed-output-tokens': { type: 'string' },
			prices: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
			version: { type: 'boolean', short: 'v' },
		},
	});
}

function optionalNumber(flag: string, raw: string | undefined, integer: boolean): number | undefined {
	if (raw === undefined) return undefined;
	const value = raw.trim() === '' ? Number.NaN : Number(raw);
	if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
		throw new UsageError(`${flag} expects a non-negative ${integer ? 'integer' : 'number'}, got '${raw}'`);
	}
	return value;
}

/** Node's messages are long and mention positionals; users need the flag and what is wrong with it. */
function describeParseError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const code = error instanceof Error && 'code' in error ? (error as { code?: unknown }).code : undefined;
	const flag = /'(-[^']*)'/.exec(message)?.[1];
	if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown option ${flag}`;
	if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) return `option ${flag.split(' ')[0]} ${/argument missing/.test(message) ? 'needs a value' : /does not take/.test(message) ? 'does not take a value' : 'has an invalid value'}`;
	return message;
}
