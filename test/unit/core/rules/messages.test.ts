import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { checkFile } from '../../../../src/core/check';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { RULE_IDS } from '../../../../src/core/rules/types';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { createFsResolver } from '../../../../src/node/fsResolver';
import { fixturePath, repoRoot } from '../../helpers';

function sources(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const full = path.join(dir, e.name);
		return e.isDirectory() ? sources(full) : /\.(ts|js)$/.test(e.name) && !e.name.includes('.fixed.') ? [full] : [];
	});
}

void it('every finding on the fixtures and examples names its rule and links its README section', () => {
	const context = { prices: createPriceTable(), tokens: createTokenCounter(), assumptions: DEFAULT_ASSUMPTIONS, resolver: createFsResolver() };
	const files = [...sources(fixturePath('rules')), ...sources(path.join(repoRoot, 'examples', 'src'))];
	const seen = new Set<string>();
	for (const file of files) {
		for (const finding of checkFile(fs.readFileSync(file, 'utf8'), file, context).findings) {
			seen.add(finding.ruleId);
			assert.ok(finding.message.includes(`README.md#rule-${finding.ruleId}`), `${path.relative(repoRoot, file)}: ${finding.message}`);
			assert.ok(finding.message.trim().length > 40, 'a message that says what and why');
		}
	}
	// The fixtures exercise every rule, so the check above covered each rule's messages.
	assert.deepEqual([...seen].sort(), [...RULE_IDS].sort());
});
