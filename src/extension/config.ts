import * as vscode from 'vscode';
import type { Assumptions } from '../core/pricing/estimateTypes';
import { RULE_IDS, type RuleId, type RuleSettings, type Severity } from '../core/rules/types';
import type { WorkerSettings } from '../protocol/analysisWorker';

/** Every `costlens.*` setting as one typed field. Add a setting here, in package.json `contributes.configuration`, and in the README table. */
export interface Settings {
	/** `costlens.codeLens.enabled` */
	readonly codeLensEnabled: boolean;
	/** `costlens.estimate.callsPerDay` */
	readonly callsPerDay: number;
	/** `costlens.estimate.assumedOutputTokens` */
	readonly assumedOutputTokens: number;
	/** `costlens.estimate.tokensPerInterpolation` */
	readonly tokensPerInterpolation: number;
	/** `costlens.estimate.tokensPerUnknownMessage` */
	readonly tokensPerUnknownMessage: number;
	/** `costlens.estimate.warmCacheShare` */
	readonly warmCacheShare: number;
	/** `costlens.pricing.overrides` (validated in the worker, which reports problems back) */
	readonly priceOverrides: Readonly<Record<string, unknown>>;
	/** `costlens.scan.exclude` */
	readonly scanExclude: readonly string[];
	/** `costlens.diagnostics.enabled` */
	readonly diagnosticsEnabled: boolean;
	/** `costlens.rules.*`: thresholds and `costlens.rules.disabled` */
	readonly rules: RuleSettings;
}

function numberSetting(section: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
	const value = section.get<unknown>(key);
	if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
	return Math.min(max, Math.max(min, value));
}

/** Known rule ids only: a typo in settings must not reach the worker as a bogus id. */
function isRuleId(id: unknown): id is RuleId {
	return typeof id === 'string' && (RULE_IDS as readonly string[]).includes(id);
}

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(['error', 'warning', 'info', 'hint']);

/**
 * `costlens.rules.disabled` plus the rules set to `off` in `costlens.rules.severity`, and the
 * severity overrides. Unknown rule ids and values are ignored (the JSON schema already flags them).
 */
function ruleSelection(disabled: unknown, severity: unknown): Pick<RuleSettings, 'disabled' | 'severity'> {
	const off = new Set<RuleId>(Array.isArray(disabled) ? disabled.filter(isRuleId) : []);
	const overrides: Partial<Record<RuleId, Severity>> = {};
	if (typeof severity === 'object' && severity !== null && !Array.isArray(severity)) {
		for (const [id, value] of Object.entries(severity)) {
			if (!isRuleId(id)) continue;
			if (value === 'off') off.add(id);
			else if (typeof value === 'string' && SEVERITIES.has(value)) overrides[id] = value as Severity;
		}
	}
	return { disabled: [...off], severity: overrides };
}

/**
 * Typed reader over `vscode.workspace.getConfiguration('costlens')`. Reads on every call (cheap) so a
 * value is never stale after `update()`; listeners use `onDidChange`.
 */
export class Config implements vscode.Disposable {
	private readonly emitter = new vscode.EventEmitter<void>();
	/** Fires after any `costlens.*` setting changes. */
	readonly onDidChange = this.emitter.event;
	private readonly listener = vscode.workspace.onDidChangeConfiguration((e) => {
		if (e.affectsConfiguration('costlens')) this.emitter.fire();
	});

	/** Settings for `scope` (a document's URI for resource-scoped values). */
	read(scope?: vscode.Uri): Settings {
		const section = vscode.workspace.getConfiguration('costlens', scope);
		const overrides = section.get<unknown>('pricing.overrides');
		const exclude = section.get<unknown>('scan.exclude');
		return {
			codeLensEnabled: section.get<boolean>('codeLens.enabled', true) !== false,
			callsPerDay: numberSetting(section, 'estimate.callsPerDay', 1000, 0, 1e9),
			assumedOutputTokens: Math.round(numberSetting(section, 'estimate.assumedOutputTokens', 512, 1, 1_000_000)),
			tokensPerInterpolation: Math.round(numberSetting(section, 'estimate.tokensPerInterpolation', 50, 0, 1_000_000)),
			tokensPerUnknownMessage: Math.round(numberSetting(section, 'estimate.tokensPerUnknownMessage', 200, 0, 1_000_000)),
			warmCacheShare: numberSetting(section, 'estimate.warmCacheShare', 0.8, 0, 1),
			priceOverrides: typeof overrides === 'object' && overrides !== null && !Array.isArray(overrides) ? (overrides as Record<string, unknown>) : {},
			scanExclude: Array.isArray(exclude) ? exclude.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : [],
			diagnosticsEnabled: section.get<boolean>('diagnostics.enabled', true) !== false,
			rules: {
				defaultMaxTokens: Math.round(numberSetting(section, 'rules.defaultMaxTokens', 1024, 1, 1_000_000)),
				fewShotMaxPairs: Math.round(numberSetting(section, 'rules.fewShotMaxPairs', 4, 0, 1000)),
				fewShotMaxTokens: Math.round(numberSetting(section, 'rules.fewShotMaxTokens', 1500, 0, 10_000_000)),
				longOutputTokens: Math.round(numberSetting(section, 'rules.longOutputTokens', 1000, 1, 10_000_000)),
				batchAssumedItems: Math.round(numberSetting(section, 'rules.batchAssumedItems', 1000, 1, 100_000_000)),
				...ruleSelection(section.get<unknown>('rules.disabled'), section.get<unknown>('rules.severity')),
			},
		};
	}

	dispose(): void {
		this.listener.dispose();
		this.emitter.dispose();
	}
}

/** The estimate's assumptions from settings. */
export function toAssumptions(settings: Settings): Assumptions {
	return {
		tokensPerHole: settings.tokensPerInterpolation,
		tokensPerUnknownMessage: settings.tokensPerUnknownMessage,
		assumedOutputTokens: settings.assumedOutputTokens,
		callsPerDay: settings.callsPerDay,
		warmCacheShare: settings.warmCacheShare,
	};
}

/** What the worker needs; plain data, structured-cloned across the thread boundary. */
export function toWorkerSettings(settings: Settings): WorkerSettings {
	// JSON round trip: configuration objects are proxies that postMessage cannot clone.
	return {
		assumptions: toAssumptions(settings),
		priceOverrides: JSON.parse(JSON.stringify(settings.priceOverrides)) as Record<string, unknown>,
		rules: { ...settings.rules, disabled: [...settings.rules.disabled], severity: { ...settings.rules.severity } },
	};
}
