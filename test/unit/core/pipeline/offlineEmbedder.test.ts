import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentWords, cosineSimilarity, createOfflineEmbedder, embedOffline, OFFLINE_EMBEDDER_ID } from '../../../../src/core/pipeline/offlineEmbedder';

const sim = (a: string, b: string): number => cosineSimilarity(embedOffline(a), embedOffline(b));

void describe('embedOffline', () => {
	void it('has an id with its dimensions and 512-dim unit vectors', () => {
		assert.equal(OFFLINE_EMBEDDER_ID, 'costlens-lexical-v1@512');
		const v = embedOffline('How do I reset my password?');
		assert.equal(v.length, 512);
		let norm = 0;
		for (const x of v) norm += x * x;
		assert.ok(Math.abs(norm - 1) < 1e-6, String(norm));
	});

	void it('scores rewordings that share content words above 0.9', () => {
		assert.ok(sim('How do I reset my password?', 'how can i reset my password') > 0.9);
		assert.ok(sim('How do I cancel my subscription?', 'cancel subscription') > 0.9);
		assert.ok(sim('resetting passwords', 'reset password') > 0.9, String(sim('resetting passwords', 'reset password')));
	});

	void it('scores unrelated questions low', () => {
		const s = sim('How do I reset my password?', 'What are your opening hours in Berlin?');
		assert.ok(s < 0.3, String(s));
		const t = sim('Export the invoice as PDF', 'Which countries do you ship to?');
		assert.ok(t < 0.3, String(t));
	});

	void it('is deterministic', () => {
		assert.deepEqual([...embedOffline('same text, same vector')], [...embedOffline('same text, same vector')]);
	});

	void it('returns the zero vector for text without content words, and cosine stays 0 (no NaN)', () => {
		const zero = embedOffline('');
		assert.ok(zero.every((x) => x === 0));
		assert.ok(embedOffline('?? how do I').every((x) => x === 0));
		assert.equal(cosineSimilarity(zero, embedOffline('password')), 0);
		assert.equal(cosineSimilarity(zero, zero), 0);
	});

	void it('tokenises any script and folds light inflections', () => {
		assert.deepEqual(contentWords('Ich möchte mein Passwort zurücksetzen'), ['ich', 'möchte', 'mein', 'passwort', 'zurücksetzen']);
		assert.deepEqual(contentWords('The invoices were exported'), ['invoice', 'export']);
		assert.ok(sim('パスワードをリセット', 'パスワードをリセット') > 0.999);
	});

	void it('supports other sizes and backs the Embedder port', async () => {
		assert.equal(embedOffline('password', 64).length, 64);
		const e = createOfflineEmbedder(128);
		assert.equal(e.id, 'costlens-lexical-v1@128');
		const { vector } = await e.embed('password');
		assert.equal(vector.length, 128);
		assert.throws(() => embedOffline('x', 0), RangeError);
	});
});
