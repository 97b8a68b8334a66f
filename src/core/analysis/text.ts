import type { ResolvedText, Span, Static } from './types';

// `ResolvedText` assembly shared by the TypeScript and the Python resolvers: plain data in, plain
// data out, no syntax.

/** Longest text kept for one resolved value; beyond it the rest counts as a hole (bounds memory on `b = a + a` chains). */
const MAX_TEXT_CHARS = 1_000_000;
/** Hole spans kept per text (the hole count itself stays exact). */
const MAX_HOLE_SPANS = 256;

/** Accumulates a `ResolvedText` from literal parts, holes and other resolved texts. */
export class TextAcc {
	private parts: string[] = [];
	private length = 0;
	holes = 0;
	readonly holeSpans: Span[] = [];
	readonly origins: string[] = [];

	addString(s: string): void {
		if (this.length + s.length > MAX_TEXT_CHARS) {
			this.holes++;
			return;
		}
		this.parts.push(s);
		this.length += s.length;
	}

	addHole(span: Span): void {
		this.holes++;
		if (this.holeSpans.length < MAX_HOLE_SPANS) this.holeSpans.push(span);
	}

	addOrigin(origin: string): void {
		if (!this.origins.includes(origin)) this.origins.push(origin);
	}

	add(r: ResolvedText): void {
		this.addString(r.text);
		this.holes += r.holes;
		for (const s of r.holeSpans) if (this.holeSpans.length < MAX_HOLE_SPANS) this.holeSpans.push(s);
		for (const o of r.origins) this.addOrigin(o);
	}

	result(): ResolvedText {
		return { text: this.parts.join(''), holes: this.holes, holeSpans: this.holeSpans, origins: this.origins };
	}
}

/** One unresolved part at `span`. */
export function holeText(span: Span): ResolvedText {
	return { text: '', holes: 1, holeSpans: [span], origins: [] };
}

export function literalText(text: string): ResolvedText {
	return { text, holes: 0, holeSpans: [], origins: [] };
}

/** `r` with `origin` (`./prompts.ts#SYSTEM`) first among its origins. */
export function withOrigin(r: ResolvedText, origin: string | undefined): ResolvedText {
	if (!origin || r.origins.includes(origin)) return r;
	return { ...r, origins: [origin, ...r.origins] };
}

/** Re-anchors a memoised result computed in another file to the current use site (`anchor`, when there is one). */
export function reanchor(r: ResolvedText, anchor: Span | undefined): ResolvedText {
	if (!anchor || r.holes === 0) return r;
	return { ...r, holeSpans: r.holeSpans.length > 0 ? [anchor] : [] };
}

/** A `Static` from a value the resolver may or may not have found. */
export function toStatic<T>(value: T | undefined, span: Span): Static<T> {
	return value !== undefined ? { kind: 'literal', value, span } : { kind: 'dynamic', span };
}

/** The JSON rendering of an object view shared by both languages: keys in source order, a hole for an unknown spread. */
export function renderObjectInto<R>(acc: TextAcc, view: { readonly props: ReadonlyMap<string, R>; readonly unknownSpread: boolean }, span: Span, skip: (ref: R) => boolean, renderValue: (ref: R) => void): void {
	acc.addString('{');
	let first = true;
	for (const [key, ref] of view.props) {
		if (skip(ref)) continue;
		if (!first) acc.addString(',');
		first = false;
		acc.addString(JSON.stringify(key) + ':');
		renderValue(ref);
	}
	if (view.unknownSpread) acc.addHole(span);
	acc.addString('}');
}

/** The JSON rendering of an array's items: unknown items are holes. */
export function renderArrayInto<R>(acc: TextAcc, items: readonly ({ readonly kind: 'item'; readonly ref: R } | { readonly kind: 'unknown'; readonly span: Span })[], renderValue: (ref: R) => void): void {
	acc.addString('[');
	items.forEach((item, i) => {
		if (i > 0) acc.addString(',');
		if (item.kind === 'item') renderValue(item.ref);
		else acc.addHole(item.span);
	});
	acc.addString(']');
}

/** A resolved string value rendered as a JSON string; a wholly unknown value stays a bare hole. */
export function addJsonString(acc: TextAcc, text: ResolvedText): void {
	if (text.holes > 0 && text.text.length === 0) acc.add(text);
	else acc.add({ ...text, text: JSON.stringify(text.text) });
}
