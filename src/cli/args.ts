import { parseArgs } from 'node:util';

export const USAGE = `Usage: costlens scan [paths…] [options]
       costlens run | replay | usage | cache …   (see costlens run --help)

Finds Anthropic and OpenAI SDK calls in TypeScript/JavaScript files and estimates what they cost.
Paths are files or folders (default: .); folders are walked recursively, honouring .gitignore.

Options:
  --format table|json|sarif    output: the human table (default), the JSON report (schemaVersion 1),
                               or SARIF 2.1.0 for code-scanning UIs; json and sarif print only that on stdout
  --json                       same as --format json
  --fix                        apply each finding's preferred fix to the files on disk, then report;
                               the changes are listed (on stderr with --format json/sarif)
  --fail-on SEVERITY           exit 1 when a finding at or above SEVERITY (error|warning|info|hint) remains
  --calls-per-day N            calls per day per call site for the monthly figure (default 1000)
  --assumed-output-tokens N    output tokens assumed per call, capped by max_tokens (default 512)
  --prices FILE                JSON price overrides: { "model": { "input": 3, "output": 15 } } (USD per million tokens)
  -h, --help                   show this help
  -v, --version                show the version

Exit codes: 0 on success, findings or not (unless --fail-on); 1 when --fail-on matched a finding
or on an internal error; 2 on a usage error.`;

export type OutputFormat = 'table' | 'json' | 'sarif';
export type FailOn = 'error' | 'warning' | 'info' | 'hint';
const FORMATS: readonly OutputFormat[] = ['table', 'json', 'sarif'];
const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'info', 'hint'];

export interface ScanOptions {
	readonly paths: readonly string[];
	readonly format: OutputFormat;
	readonly fix: boolean;
	readonly failOn: FailOn | undefined;
	readonly callsPerDay: number | undefined;
	readonly assumedOutputTokens: number | undefined;
	readonly pricesFile: string | undefined;
}

export type ParsedCommand = { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'scan'; readonly options: ScanOptions };

/** A command-line mistake: printed as `costlens: <message>` with a usage hint, exit code 2. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}

export function isUsageError(error: unknown): error is UsageError {
	return error instanceof Error && error.name === 'UsageError';
}

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
	const format = values.format;
	if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format expects one of ${FORMATS.join(', ')}, got '${format}'`);
	if (format !== undefined && format !== 'json' && values.json) throw new UsageError(`--json conflicts with --format ${format}`);
	const failOn = values['fail-on'];
	if (failOn !== undefined && !(FAIL_ON as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on expects one of ${FAIL_ON.join(', ')}, got '${failOn}'`);
	return {
		kind: 'scan',
		options: {
			paths: paths.length > 0 ? paths : ['.'],
			format: (format as OutputFormat | undefined) ?? (values.json ? 'json' : 'table'),
			fix: values.fix ?? false,
			failOn: failOn as FailOn | undefined,
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
			format: { type: 'string' },
			fix: { type: 'boolean' },
			'fail-on': { type: 'string' },
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
