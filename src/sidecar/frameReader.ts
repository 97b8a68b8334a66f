/**
 * A forgiving reader for `Content-Length`-framed JSON-RPC on stdin. vscode-jsonrpc's own reader
 * logs a malformed frame and answers nothing, and after a bad header it loses the framing for
 * good. This one answers every malformed frame with the JSON-RPC error the spec names (-32700
 * parse error, -32600 invalid request), skips to the next frame and keeps serving.
 */
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-jsonrpc/node';

/** Frames above this size are refused (and skipped) instead of buffered. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
const HEADER_LIMIT = 8 * 1024;
const MAX_DEPTH = 64;

export type DecodedFrame =
	| { readonly kind: 'message'; readonly message: Message }
	/** Something the peer must hear about: `id` is the request's when it could be read, else null. */
	| { readonly kind: 'error'; readonly id: number | string | null; readonly code: -32700 | -32600; readonly message: string };

/** Splits a byte stream into frames; pure (no I/O), so its edge cases are unit-tested directly. */
export class FrameDecoder {
	private buffer: Buffer = Buffer.alloc(0);
	/** Bytes of an oversized body still to throw away. */
	private skipping = 0;

	push(chunk: Buffer): DecodedFrame[] {
		this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
		const out: DecodedFrame[] = [];
		for (;;) {
			if (this.skipping > 0) {
				const drop = Math.min(this.skipping, this.buffer.length);
				this.buffer = this.buffer.subarray(drop);
				this.skipping -= drop;
				if (this.skipping > 0) return out;
			}
			const end = this.buffer.indexOf(HEADER_END);
			if (end < 0) {
				if (this.buffer.length > HEADER_LIMIT) {
					out.push(parseError(`no frame header end within ${HEADER_LIMIT} bytes`));
					this.resync(this.buffer.length);
				}
				return out;
			}
			const length = contentLength(this.buffer.subarray(0, end).toString('latin1'));
			if (typeof length === 'string') {
				out.push(parseError(length));
				this.resync(end + HEADER_END.length);
				continue;
			}
			const bodyStart = end + HEADER_END.length;
			if (length > MAX_FRAME_BYTES) {
				out.push(parseError(`frame of ${length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`));
				this.buffer = this.buffer.subarray(bodyStart);
				this.skipping = length;
				continue;
			}
			if (this.buffer.length < bodyStart + length) return out;
			const body = this.buffer.subarray(bodyStart, bodyStart + length);
			this.buffer = this.buffer.subarray(bodyStart + length);
			out.push(decodeBody(body));
		}
	}

	/** Drops `consumed` bytes and anything up to the next `Content-Length` header. */
	private resync(consumed: number): void {
		this.buffer = this.buffer.subarray(consumed);
		const next = this.buffer.indexOf('Content-Length:', 0, 'latin1');
		this.buffer = next < 0 ? Buffer.alloc(0) : this.buffer.subarray(next);
	}
}

function contentLength(header: string): number | string {
	let length: number | undefined;
	for (const line of header.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon <= 0) return `malformed frame header line ${JSON.stringify(line.slice(0, 80))}`;
		const name = line.slice(0, colon).trim().toLowerCase();
		const value = line.slice(colon + 1).trim();
		if (name === 'content-length') {
			if (!/^\d{1,10}$/.test(value)) return `invalid Content-Length ${JSON.stringify(value.slice(0, 20))}`;
			length = Number(value);
		} else if (name === 'content-type' && !/charset=utf-?8/i.test(value) && /charset=/i.test(value)) {
			return `unsupported Content-Type ${JSON.stringify(value.slice(0, 80))} (only utf-8)`;
		}
	}
	return length ?? 'frame header without Content-Length';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(body: Buffer): DecodedFrame {
	let text: string;
	try {
		text = utf8.decode(body);
	} catch {
		return parseError('frame body is not valid UTF-8');
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return parseError(`frame body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
	}
	if (depth(value) > MAX_DEPTH) return parseError(`JSON nested deeper than ${MAX_DEPTH} levels`);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return { kind: 'error', id: null, code: -32600, message: Array.isArray(value) ? 'batch requests are not supported' : 'a JSON-RPC message must be an object' };
	}
	const message = value as Record<string, unknown>;
	const id = typeof message.id === 'number' || typeof message.id === 'string' ? message.id : null;
	const isRequestOrNotification = typeof message.method === 'string';
	const isResponse = 'id' in message && ('result' in message || 'error' in message);
	if (message.jsonrpc !== '2.0' || (!isRequestOrNotification && !isResponse)) {
		return { kind: 'error', id, code: -32600, message: message.jsonrpc !== '2.0' ? 'jsonrpc must be "2.0"' : 'a message needs a method (request, notification) or a result/error (response)' };
	}
	if ('params' in message && message.params !== undefined && (typeof message.params !== 'object' || message.params === null)) {
		return { kind: 'error', id, code: -32600, message: 'params must be an object or an array' };
	}
	return { kind: 'message', message: message as unknown as Message };
}

/** Nesting depth, iteratively (a hostile 100k-deep array must not blow the stack here either). */
function depth(value: unknown): number {
	let max = 0;
	const stack: [unknown, number][] = [[value, 1]];
	while (stack.length > 0) {
		const [v, d] = stack.pop()!;
		if (typeof v !== 'object' || v === null) continue;
		if (d > max) max = d;
		if (max > MAX_DEPTH) return max;
		for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
	}
	return max;
}

function parseError(message: string): DecodedFrame {
	return { kind: 'error', id: null, code: -32700, message: `Parse error: ${message}` };
}

/** Reads frames from a stream; malformed ones are answered through `reject` and never reach the connection. */
export class TolerantMessageReader extends AbstractMessageReader {
	private readonly decoder = new FrameDecoder();

	constructor(
		private readonly readable: NodeJS.ReadableStream,
		private readonly reject: (id: number | string | null, code: number, message: string) => void,
	) {
		super();
	}

	listen(callback: DataCallback): Disposable {
		const onData = (chunk: Buffer | string): void => {
			for (const frame of this.decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)) {
				if (frame.kind === 'message') callback(frame.message);
				else this.reject(frame.id, frame.code, frame.message);
			}
		};
		const onError = (error: Error): void => this.fireError(error);
		const onClose = (): void => this.fireClose();
		this.readable.on('data', onData);
		this.readable.on('error', onError);
		this.readable.on('close', onClose);
		this.readable.on('end', onClose);
		return Disposable.create(() => {
			this.readable.off('data', onData);
			this.readable.off('error', onError);
			this.readable.off('close', onClose);
			this.readable.off('end', onClose);
		});
	}
}
