// Transport-floor peer for bench/sidecar.bench.ts: a JSON-RPC server over stdio with the sidecar's
// framing (vscode-jsonrpc, Content-Length) and no pipeline behind it. `echo` returns its params;
// `reply/set` stores a canned result plus the notifications that preceded it in a real sidecar run,
// and `reply/play` sends those notifications and returns that result, so the peer moves the same
// messages and bytes as a cache hit does, minus the work of finding the answer.
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

interface CannedReply {
	readonly result: unknown;
	readonly events: readonly unknown[];
}

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
const replies = new Map<string, CannedReply>();

connection.onRequest('echo', (params: unknown) => params);
connection.onRequest('reply/set', (params: { name: string } & CannedReply) => {
	replies.set(params.name, { result: params.result, events: params.events });
	return null;
});
connection.onRequest('reply/play', (params: { name: string; runId: string }) => {
	const reply = replies.get(params.name);
	if (!reply) throw new Error(`no canned reply named ${params.name}`);
	// The sidecar stamps each event with the caller's runId; so does the peer.
	for (const event of reply.events) void connection.sendNotification('pipeline/event', { runId: params.runId, event });
	return reply.result;
});
connection.onRequest('shutdown', () => null);
connection.onClose(() => process.exit(0));
process.stdin.on('end', () => process.exit(0));
connection.listen();
