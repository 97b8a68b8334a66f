import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFromWorker, isToWorker } from '../../../src/protocol/analysisWorker';
import { assumptions, priced, site } from './sampleData';

const rules = { defaultMaxTokens: 1024, fewShotMaxPairs: 4, fewShotMaxTokens: 1500, longOutputTokens: 1000, disabled: ['unknown-model'] };
const settings = { assumptions, priceOverrides: {}, rules };

void describe('isToWorker', () => {
	void it('accepts each request shape', () => {
		assert.ok(isToWorker({ type: 'analyze', requestId: 1, fileName: '/a.ts', text: 'x', settings }));
		assert.ok(isToWorker({ type: 'scan', requestId: 2, files: ['/a.ts', '/b.ts'], settings }));
		assert.ok(isToWorker({ type: 'cancel', requestId: 2 }));
	});

	void it('rejects unknown types, bad ids and missing or mistyped fields', () => {
		assert.equal(isToWorker({ type: 'analyse', requestId: 1, fileName: '/a.ts', text: 'x', settings }), false);
		assert.equal(isToWorker({ type: 'analyze', requestId: -1, fileName: '/a.ts', text: 'x', settings }), false);
		assert.equal(isToWorker({ type: 'analyze', requestId: 1.5, fileName: '/a.ts', text: 'x', settings }), false);
		assert.equal(isToWorker({ type: 'analyze', requestId: 1, fileName: '/a.ts', settings }), false);
		assert.equal(isToWorker({ type: 'analyze', requestId: 1, fileName: '/a.ts', text: 'x', settings: { assumptions: { ...assumptions, callsPerDay: 'many' }, priceOverrides: {} } }), false);
		assert.equal(isToWorker({ type: 'scan', requestId: 1, files: ['/a.ts', 3], settings }), false);
		assert.equal(isToWorker({ type: 'analyze', requestId: 1, fileName: '/a.ts', text: 'x', settings: { assumptions, priceOverrides: {} } }), false, 'rule settings are required');
		assert.equal(isToWorker({ type: 'analyze', requestId: 1, fileName: '/a.ts', text: 'x', settings: { ...settings, rules: { ...rules, disabled: [1] } } }), false);
		assert.equal(isToWorker({ type: 'analyze', requestId: 1, fileName: '/a.ts', text: 'x', settings: { ...settings, rules: { ...rules, defaultMaxTokens: '1024' } } }), false);
		assert.equal(isToWorker(null), false);
		assert.equal(isToWorker('analyze'), false);
	});
});

void describe('isFromWorker', () => {
	const result = { analysis: { callSites: [site()], skipped: undefined }, estimates: [priced()], findings: [] };

	void it('accepts each answer shape', () => {
		assert.ok(isFromWorker({ type: 'analyzed', requestId: 1, result, priceWarnings: [] }));
		assert.ok(isFromWorker({ type: 'failed', requestId: 1, message: 'boom' }));
		assert.ok(isFromWorker({ type: 'scanFile', requestId: 1, fileName: '/a.ts', done: 1, total: 2, result, error: undefined }));
		assert.ok(isFromWorker({ type: 'scanFile', requestId: 1, fileName: '/a.ts', done: 1, total: 2, result: undefined, error: 'ENOENT' }));
		assert.ok(isFromWorker({ type: 'scanDone', requestId: 1, cancelled: false, priceWarnings: ['x'] }));
	});

	void it('rejects answers whose estimates do not line up with the call sites', () => {
		assert.equal(isFromWorker({ type: 'analyzed', requestId: 1, result: { ...result, estimates: [] }, priceWarnings: [] }), false);
		assert.equal(isFromWorker({ type: 'analyzed', requestId: 1, result }), false);
		assert.equal(isFromWorker({ type: 'analyzed', requestId: 1, result: { analysis: result.analysis, estimates: result.estimates }, priceWarnings: [] }), false, 'findings are required');
		assert.equal(isFromWorker({ type: 'scanFile', requestId: 1, fileName: '/a.ts', done: 1, total: 2, result, error: 'both' }), false);
		assert.equal(isFromWorker({ type: 'scanDone', requestId: 1 }), false);
		assert.equal(isFromWorker({ type: 'failed', requestId: '1', message: 'boom' }), false);
	});
});
