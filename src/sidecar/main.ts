/**
 * `dist/sidecar.js`: the pipeline behind JSON-RPC over stdio. Started by the extension on first
 * use (never at activation); owns one SQLite file; exits when stdin closes, so it never outlives
 * the editor. It opens no network listener. stdout carries only protocol frames: everything
 * human-readable goes to stderr, which the extension shows in its log.
 */
import { CancellationToken, ResponseError, ErrorCodes, createMessageConnection, StreamMessageWriter, type Message } from 'vscode-jsonrpc/node';
import { TolerantMessageReader } from './frameReader';
import { PipelineError } from '../core/pipeline';
import { checkParams, SIDECAR_PROTOCOL_VERSION, SidecarErrorCodes, type InitializeParams, type InitializeResult, type PipelineErrorData, type SidecarMethod, type SidecarRequests } from '../protocol/sidecar';
import { Engine } from './engine';
import { groupUsage } from '../core/pipeline/usageGroups';

declare const COSTLENS_VERSION: string | undefined;
const VERSION = typeof COSTLENS_VERSION === 'string' ? COSTLENS_VERSION : 'dev';

// Anything a library prints must not corrupt the protocol stream.
console.log = console.error;
console.info = console.error;
console.warn = console.error;

const log = (message: string): void => {
	process.stderr.write(`[sidecar] ${message}\n`);
};

const writer = new StreamMessageWriter(process.stdout);
// Malformed frames are answered here (parse error / invalid request) and never reach the connection.
const reader = new TolerantMessageReader(process.stdin, (id, code, message) => {
	log(`rejected a frame: ${message}`);
	void writer.write({ jsonrpc: '2.0', id, error: { code, message } } as unknown as Message);
});
const connection = createMessageConnection(reader, writer, {
	error: log,
	warn: log,
	info: () => undefined,
	log: () => undefined,
});

let engine: Engine | undefined;

type Handler<M extends SidecarMethod> = (params: SidecarRequests[M]['params'], token: CancellationToken) => Promise<SidecarRequests[M]['result']> | SidecarRequests[M]['result'];

function handle<M extends SidecarMethod>(method: M, handler: Handler<M>, options: { needsEngine?: boolean } = {}): void {
	connection.onRequest(method, async (params: unknown, token: CancellationToken) => {
		const problem = checkParams(method, params ?? {});
		if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${problem}`);
		if (options.needsEngine !== false && !engine) throw new ResponseError(SidecarErrorCodes.NotInitialized, `${method} before initialize`);
		try {
			return await handler((params ?? {}) as SidecarRequests[M]['params'], token);
		} catch (error) {
			if (error instanceof ResponseError) throw error;
			if (error instanceof PipelineError) {
				const data: PipelineErrorData = { code: error.code, rows: error.rows };
				throw new ResponseError(error.code === 'cancelled' ? SidecarErrorCodes.RequestCancelled : SidecarErrorCodes.PipelineFailed, error.message, data);
			}
			log(`${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
			throw new ResponseError(ErrorCodes.InternalError, `${method} failed: ${error instanceof Error ? error.message : String(error)}`);
		}
	});
}

handle(
	'initialize',
	(params: InitializeParams): InitializeResult => {
		if (params.protocolVersion !== SIDECAR_PROTOCOL_VERSION) {
			throw new ResponseError(ErrorCodes.InvalidRequest, `protocol version ${params.protocolVersion} is not supported (this sidecar speaks ${SIDECAR_PROTOCOL_VERSION}); update CostLens`);
		}
		engine?.close();
		const { protocolVersion: _v, clientName: _c, ...options } = params;
		engine = new Engine({ ...options, log, demoLatencyScale: Number(process.env.COSTLENS_DEMO_LATENCY_SCALE ?? '1') });
		for (const notice of engine.notices) log(notice);
		return {
			protocolVersion: SIDECAR_PROTOCOL_VERSION,
			sidecarVersion: VERSION,
			dbFile: params.dbFile,
			cache: engine.store ? 'ready' : 'unavailable',
			notices: engine.notices,
			embedder: engine.embedder.id,
			providers: engine.availableProviders(),
		};
	},
	{ needsEngine: false },
);

handle('pipeline/run', async (params, token) => {
	const controller = new AbortController();
	const subscription = token.onCancellationRequested(() => controller.abort());
	try {
		return await engine!.run(params.request, {
			signal: controller.signal,
			listener: (event) => void connection.sendNotification('pipeline/event', { runId: params.runId, event }),
		});
	} finally {
		subscription.dispose();
	}
});

handle('usage/query', (params) => {
	const store = engine!.store;
	if (!store) return { rows: [], byModel: [], byTenant: [], byOutcome: [] };
	// Groups cover every row in the range; only the most recent `limit` rows travel back.
	const { limit = 200, groups = true, ...range } = params;
	if (!groups) return { rows: store.queryUsage({ ...range, limit }), byModel: [], byTenant: [], byOutcome: [] };
	const rows = store.queryUsage(range);
	return { rows: rows.slice(-limit), ...groupUsage(rows) };
});

handle('cache/stats', () => {
	const store = engine!.store;
	if (!store) throw new ResponseError(SidecarErrorCodes.PipelineFailed, 'the cache database is unavailable');
	return store.stats();
});

handle('cache/clear', (params) => {
	const store = engine!.store;
	if (!store) throw new ResponseError(SidecarErrorCodes.PipelineFailed, 'the cache database is unavailable');
	return store.clear(params);
});

handle(
	'shutdown',
	() => {
		engine?.close();
		engine = undefined;
		return null;
	},
	{ needsEngine: false },
);

// Expired entries go even when nothing is written for a while; unref'd so it never keeps the process alive.
setInterval(() => engine?.evict(), 10 * 60_000).unref();

connection.onError(([error]) => log(`protocol error: ${error.message}`));
connection.onClose(() => exit(0));
process.stdin.on('end', () => exit(0));

let exiting = false;
function exit(code: number): void {
	if (exiting) return;
	exiting = true;
	try {
		engine?.close();
	} catch (error) {
		log(`closing the database failed: ${error instanceof Error ? error.message : String(error)}`);
	}
	process.exit(code);
}

connection.listen();
