/**
 * The playground webview's host page, as a PURE function (no `vscode`) so its CSP is unit-tested.
 * The page is an empty shell: `dist/webview/playground.js` (built from `src/webview/`) renders the
 * form from the `setup` message. One script, loaded by URL with a per-render nonce; no inline
 * script or style, nothing from outside the webview's own resource roots.
 */
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../breakdownHtml';

export interface PlaygroundHtmlInput {
	/** `webview.cspSource` */
	readonly cspSource: string;
	/** `webview.asWebviewUri(dist/webview/playground.js)` */
	readonly scriptUri: string;
	/** `webview.asWebviewUri(media/playground.css)` */
	readonly styleUri: string;
	/** More stylesheets from the webview's roots (the usage dashboard's `media/dashboard.css`). */
	readonly extraStyleUris?: readonly string[];
	/** Fresh for every render ({@link createNonce}). */
	readonly nonce: string;
}

/** 128 random bits, base64: a CSP nonce that cannot be guessed. */
export function createNonce(): string {
	return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of the page: nothing by default, the bundle by nonce, styles and images from the webview's roots. */
export function playgroundCsp(cspSource: string, nonce: string): string {
	return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join('; ');
}

export function renderPlaygroundHtml(input: PlaygroundHtmlInput): string {
	if (!/^[A-Za-z0-9+/=]{16,}$/.test(input.nonce)) throw new Error('nonce must be base64 of at least 16 characters');
	const csp = escapeHtml(playgroundCsp(input.cspSource, input.nonce));
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${[input.styleUri, ...(input.extraStyleUris ?? [])].map((uri) => `<link rel="stylesheet" href="${escapeHtml(uri)}">`).join('\n')}
<title>CostLens Playground</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading the playground…</p></main>
<noscript><p>The playground needs scripts enabled.</p></noscript>
<script nonce="${escapeHtml(input.nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
