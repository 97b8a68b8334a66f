/** Every command id CostLens registers. Palette commands are contributed in package.json with `category: "CostLens"`. */
export const enum CommandId {
	/** {@link BreakdownPanel.show}: the call under the cursor, or the lens's call site. */
	ShowCostBreakdown = 'costlens.showCostBreakdown',
	/** {@link CostOverview.scan} */
	ScanWorkspace = 'costlens.scanWorkspace',
	/** Flips `costlens.codeLens.enabled`. */
	ToggleCodeLens = 'costlens.toggleCodeLens',
	/** Opens Output → CostLens. */
	ShowLogs = 'costlens.showLogs',
	/** Status-bar click: focuses the Cost Overview view (hidden from the palette). */
	RevealOverview = 'costlens.revealOverview',
	/** Cost Overview click: opens a file at a call site (hidden from the palette). */
	RevealCallSite = 'costlens.revealCallSite',
}

/** Identifies one call site across the lens → command boundary: plain JSON, so it survives serialization. */
export interface SiteRef {
	readonly uri: string;
	/** `CallSite.span.start`, stable for a document version. */
	readonly spanStart: number;
}

export function isSiteRef(value: unknown): value is SiteRef {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { uri?: unknown }).uri === 'string' &&
		typeof (value as { spanStart?: unknown }).spanStart === 'number'
	);
}
