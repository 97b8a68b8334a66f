import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, playgroundCsp, renderPlaygroundHtml } from '../../../src/extension/playground/playgroundHtml';

const base = { cspSource: 'https://webview.example', scriptUri: 'https://webview.example/dist/webview/playground.js', styleUri: 'https://webview.example/media/playground.css' };

function cspOf(html: string): string {
	const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
	assert.ok(match, 'CSP meta tag present');
	return match[1]!.replace(/&#39;/g, "'");
}

void describe('renderPlaygroundHtml', () => {
	void it('declares default-src none and allows only the nonce’d script', () => {
		const nonce = createNonce();
		const html = renderPlaygroundHtml({ ...base, nonce });
		const csp = cspOf(html);
		assert.match(csp, /^default-src 'none'/);
		assert.ok(csp.includes(`script-src 'nonce-${nonce}'`), csp);
		assert.match(csp, /style-src https:\/\/webview\.example(;|$)/);
		assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:\/\/(?!webview\.example)/);
	});

	void it('loads one script, by URL, carrying the nonce; no inline script or style', () => {
		const nonce = createNonce();
		const html = renderPlaygroundHtml({ ...base, nonce });
		const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
		assert.equal(scripts.length, 1);
		assert.ok(scripts[0]![1]!.includes(`nonce="${nonce}"`));
		assert.ok(scripts[0]![1]!.includes(`src="${base.scriptUri}"`));
		assert.equal(scripts[0]![2], '', 'no inline script body');
		assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
		assert.ok(html.includes(`href="${base.styleUri}"`));
		const withDashboard = renderPlaygroundHtml({ ...base, nonce, extraStyleUris: ['https://webview.example/media/dashboard.css'] });
		assert.equal([...withDashboard.matchAll(/<link rel="stylesheet" href="https:\/\/webview\.example\/media\/[a-z]+\.css">/g)].length, 2);
	});

	void it('uses a fresh random nonce each render', () => {
		const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
		assert.equal(nonces.size, 50);
		for (const n of nonces) assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
		const a = renderPlaygroundHtml({ ...base, nonce: createNonce() });
		const b = renderPlaygroundHtml({ ...base, nonce: createNonce() });
		assert.notEqual(cspOf(a), cspOf(b));
	});

	void it('escapes the URIs and refuses a nonce that could break out of the attribute', () => {
		const html = renderPlaygroundHtml({ ...base, scriptUri: 'https://webview.example/a"><img src=x>.js', nonce: createNonce() });
		assert.ok(!html.includes('"><img'));
		assert.throws(() => renderPlaygroundHtml({ ...base, nonce: `abc"' onload=x` }));
		assert.throws(() => renderPlaygroundHtml({ ...base, nonce: 'short' }));
	});

	void it('csp helper names every fetch directive it allows', () => {
		assert.equal(playgroundCsp('S', 'N'), "default-src 'none'; script-src 'nonce-N'; style-src S; img-src S data:; font-src S");
	});
});
