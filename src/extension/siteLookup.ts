import type { CallSite, Span } from '../core/analysis/types';

function contains(span: Span, offset: number): boolean {
	return span.start <= offset && offset <= span.end;
}

/**
 * Index of the call site at `offset`: the innermost call whose span contains it (calls can nest, e.g.
 * a prompt built by another LLM call). Pure; -1 when none.
 */
export function siteIndexAt(sites: readonly CallSite[], offset: number): number {
	let best = -1;
	for (let i = 0; i < sites.length; i++) {
		const site = sites[i]!;
		if (!contains(site.span, offset)) continue;
		const current = best >= 0 ? sites[best]! : undefined;
		if (!current || site.span.end - site.span.start < current.span.end - current.span.start) best = i;
	}
	return best;
}

/** Index of the call site whose callee or call starts at or contains `offset`, preferring a callee hit (hover). */
export function siteIndexForHover(sites: readonly CallSite[], offset: number): number {
	const callee = sites.findIndex((site) => contains(site.calleeSpan, offset));
	return callee >= 0 ? callee : siteIndexAt(sites, offset);
}
