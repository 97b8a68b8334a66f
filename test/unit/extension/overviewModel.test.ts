import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOverviewFile, sortOverview, totals } from '../../../src/extension/overviewModel';
import { siteIndexAt, siteIndexForHover } from '../../../src/extension/siteLookup';
import { priced, site, unpriced } from './sampleData';

void describe('Cost Overview ordering', () => {
	const cheap = buildOverviewFile('/ws/src/classify.ts', [site({ span: { start: 0, end: 10 } })], [priced({ monthlyCostUsd: 2 })], undefined);
	const costly = buildOverviewFile(
		'/ws/src/chat.ts',
		[site({ span: { start: 0, end: 10 } }), site({ span: { start: 20, end: 30 } }), site({ span: { start: 40, end: 50 } })],
		[unpriced(), priced({ monthlyCostUsd: 100 }), priced({ monthlyCostUsd: 250 })],
		undefined,
	);
	const unknown = buildOverviewFile('/ws/src/unknownModel.ts', [site()], [unpriced()], undefined);
	const skipped = buildOverviewFile('/ws/src/huge.ts', [], [], 'File is 3.0 MB, above the 2 MB analysis limit.');
	const empty = buildOverviewFile('/ws/src/util.ts', [], [], undefined);

	void it('sorts files by monthly cost, all-unpriced files after priced ones, notes last, and drops empty files', () => {
		assert.deepEqual(
			sortOverview([unknown, skipped, cheap, empty, costly]).map((f) => f.fileName),
			['/ws/src/chat.ts', '/ws/src/classify.ts', '/ws/src/unknownModel.ts', '/ws/src/huge.ts'],
		);
	});

	void it('sorts calls within a file by monthly cost with unpriced last', () => {
		assert.deepEqual(
			costly.sites.map((s) => s.monthlyCostUsd),
			[250, 100, null],
		);
		assert.equal(costly.sites[2]!.unpricedReason, 'no price for `claude-foo-9`');
	});

	void it('sums priced calls only and counts unpriced ones separately', () => {
		assert.equal(costly.monthlyCostUsd, 350);
		assert.equal(costly.unpricedCount, 1);
		assert.deepEqual(totals([costly, cheap, unknown]), { monthlyCostUsd: 352, pricedCount: 3, unpricedCount: 2 });
	});
});

void describe('site lookup', () => {
	const outer = site({ span: { start: 0, end: 100 }, calleeSpan: { start: 0, end: 20 } });
	const inner = site({ span: { start: 40, end: 60 }, calleeSpan: { start: 40, end: 50 } });

	void it('picks the innermost call containing the cursor', () => {
		assert.equal(siteIndexAt([outer, inner], 45), 1);
		assert.equal(siteIndexAt([outer, inner], 80), 0);
		assert.equal(siteIndexAt([outer, inner], 150), -1);
	});

	void it('prefers the call whose callee is hovered', () => {
		assert.equal(siteIndexForHover([outer, inner], 10), 0);
		assert.equal(siteIndexForHover([outer, inner], 55), 1);
	});
});
