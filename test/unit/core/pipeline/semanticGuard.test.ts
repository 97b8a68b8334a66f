import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardAgrees } from '../../../../src/core/pipeline/semanticGuard';

function agrees(a: string, b: string): void {
	const r = guardAgrees(a, b);
	assert.equal(r.agree, true, `${a} | ${b}: ${r.agree ? '' : r.reason}`);
	assert.equal(guardAgrees(b, a).agree, true, `${b} | ${a} (reversed)`);
}

function disagrees(a: string, b: string, reason?: RegExp): void {
	const r = guardAgrees(a, b);
	assert.equal(r.agree, false, `${a} | ${b} should disagree`);
	if (reason && !r.agree) assert.match(r.reason, reason);
	assert.equal(guardAgrees(b, a).agree, false, `${b} | ${a} (reversed) should disagree`);
}

void describe('guardAgrees', () => {
	void it('lets rewordings share an answer', () => {
		agrees('How do I reset my password?', 'how can I reset my password');
		agrees('Why does sync not work?', "Why doesn't sync work?");
		agrees('Where is the cancellation button', 'where can I find the cancellation button');
		agrees('Turn on dark mode', 'How do I switch on dark mode?');
		agrees('How do I reset my password on mobile?', 'reset password from mobile');
	});

	void it('numbers must match, normalised', () => {
		disagrees('refund order 123', 'refund order 124', /numbers differ: 123 vs 124/);
		disagrees('What is 3.5% of 200?', 'What is 3.6% of 200?');
		agrees('send 1,000 units', 'send 1000 units');
		agrees('price 1.50', 'price 1.5');
		disagrees('order 12345678901234567', 'order 12345678901234568');
		disagrees('refund order 123', 'refund my order');
		disagrees('buy two tickets', 'buy three tickets');
		agrees('buy two tickets', 'buy 2 tickets');
	});

	void it('dates, times and versions stay whole', () => {
		disagrees('meetings on 2024-01-05', 'meetings on 2024-05-01', /numbers/);
		agrees('meetings on 2024-01-05', 'meetings on 2024-1-5');
		disagrees('changelog for 1.2.3', 'changelog for 1.3.2');
		disagrees('meetings on Monday', 'meetings on Tuesday', /dates/);
		disagrees('alarm at 10am', 'alarm at 10pm');
		disagrees('alarm at 10 am', 'alarm at 10 pm');
	});

	void it('negations must match', () => {
		disagrees('Can I get a refund?', 'Can I not get a refund?', /negation/);
		disagrees('Which plans include support', 'Which plans include no support');
		disagrees('files with a password', 'files without a password');
		disagrees('I never received the email', 'I received the email');
		agrees("I can't log in", 'I cannot log in');
	});

	void it('opposite words conflict', () => {
		disagrees('turn on X', 'turn off X', /activation/);
		disagrees('How do I enable notifications?', 'How do I disable notifications?');
		disagrees('include archived items', 'exclude archived items');
		disagrees('how do I log in', 'how do I log out', /session/);
		disagrees('upgrade my plan', 'downgrade my plan');
		disagrees('increase the limit', 'decrease the limit');
		disagrees('lock the screen', 'unlock the screen');
		disagrees('disable two-factor', 'two-factor setup');
		disagrees('make the repo public', 'make the repo private');
		disagrees('how do I subscribe', 'how do I unsubscribe');
	});

	void it('quoted text and code-like identifiers must match', () => {
		disagrees('What does `ERR_TIMEOUT` mean?', 'What does `ERR_CONNRESET` mean?', /quoted|identifiers/);
		disagrees('What does "Error A" mean?', 'What does "Error B" mean?', /quoted/);
		agrees("What does 'Error A' mean?", 'What does "Error A" mean?');
		disagrees('How do I use getUserById', 'How do I use getUserByName', /identifiers/);
		disagrees('open src/app.ts', 'open src/main.ts');
		disagrees('email alice@example.com', 'email bob@example.com');
		disagrees('set max_tokens', 'set max_retries');
		disagrees('ticket A123 status', 'ticket A124 status');
		agrees("don't use 'foo' here, it isn't safe", "don't use 'foo' here, it isn't safe");
	});

	void it('stays fast on adversarial input (no super-linear scanning)', () => {
		const nasty = `${"'".repeat(20_000)}${'"a'.repeat(20_000)}${'1,'.repeat(20_000)}`;
		const r = guardAgrees(nasty, nasty);
		assert.equal(r.agree, true);
	});
});
