/**
 * Wires the Playground view and its two commands. Cheap: the webview and the sidecar start only
 * when the view is opened.
 */
import * as vscode from 'vscode';
import { callSiteToForm, dynamicParts } from '../../core/playground/formToRequest';
import { isSiteRef, type SiteRef } from '../commands';
import type { DocumentAnalyzer } from '../documentAnalyzer';
import type { SidecarService } from '../sidecar/types';
import { siteIndexAt } from '../siteLookup';
import { PlaygroundView } from './playgroundView';

export const PlaygroundCommandId = {
	/** Shows the Playground view. */
	OpenPlayground: 'costlens.openPlayground',
	/** Fills the Playground from a call site (hover link, or the call under the cursor) and shows it. */
	OpenInPlayground: 'costlens.openInPlayground',
} as const;

export interface PlaygroundDeps {
	readonly sidecar: SidecarService;
	readonly analyzer: DocumentAnalyzer;
	readonly log: vscode.LogOutputChannel;
}

export function registerPlayground(context: vscode.ExtensionContext, deps: PlaygroundDeps): PlaygroundView {
	const view = new PlaygroundView(context, deps.sidecar, deps.log);
	context.subscriptions.push(
		view,
		vscode.window.registerWebviewViewProvider(PlaygroundView.viewId, view, { webviewOptions: { retainContextWhenHidden: true } }),
		vscode.commands.registerCommand(PlaygroundCommandId.OpenPlayground, () => view.reveal()),
		vscode.commands.registerCommand(PlaygroundCommandId.OpenInPlayground, (target?: unknown) => openInPlayground(view, deps, target)),
	);
	return view;
}

async function openInPlayground(view: PlaygroundView, deps: PlaygroundDeps, target: unknown): Promise<boolean> {
	let doc: vscode.TextDocument | undefined;
	let offset: number | undefined;
	let ref: SiteRef | undefined = isSiteRef(target) ? target : undefined;
	if (ref) {
		try {
			doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(ref.uri));
		} catch (e: unknown) {
			deps.log.warn(`Open in Playground: cannot open ${ref.uri}: ${e instanceof Error ? e.message : String(e)}`);
		}
	} else {
		const editor = vscode.window.activeTextEditor;
		doc = editor?.document;
		if (editor) offset = editor.document.offsetAt(editor.selection.active);
	}
	const result = doc ? await deps.analyzer.analyze(doc) : undefined;
	const index = !result ? -1 : ref ? result.callSites.findIndex((s) => s.span.start === ref!.spanStart) : siteIndexAt(result.callSites, offset ?? -1);
	const site = result?.callSites[index];
	if (!doc || !site) {
		// Still useful: an empty playground.
		await view.reveal();
		if (!ref) void vscode.window.showInformationMessage('CostLens: no Anthropic or OpenAI call under the cursor; opened an empty playground.');
		return false;
	}
	ref = { uri: doc.uri.toString(), spanStart: site.span.start };
	const holes = dynamicParts(site);
	const where = `${vscode.workspace.asRelativePath(doc.uri, false)}:${doc.positionAt(site.span.start).line + 1}`;
	await view.fill(callSiteToForm(site), holes > 0 ? `${where} (${holes} run-time part${holes === 1 ? '' : 's'} left blank: fill ${holes === 1 ? 'it' : 'them'} in)` : where);
	return true;
}
