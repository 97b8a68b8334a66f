/**
 * The semantic cache's last line of defence. Embeddings score "turn on dark mode" and "turn off
 * dark mode", or "refund order 123" and "refund order 124", as near-identical; serving one's
 * answer to the other is a wrong answer, not a saving. Two queries may share an answer only when
 * their numbers, negations, polarity words and quoted / code-like identifiers agree. A false
 * "disagree" only costs a cache miss, so every check leans that way.
 *
 * All scanning is single-pass or uses simple character-class regexes (no nested quantifiers), so
 * user text cannot trigger super-linear backtracking.
 */

export type GuardResult = { readonly agree: true } | { readonly agree: false; readonly reason: string };

/** Features that must be equal for two queries to share an answer. */
interface Features {
	readonly numbers: readonly string[];
	readonly named: readonly string[];
	readonly negations: number;
	readonly polarity: ReadonlyMap<string, ReadonlySet<'+' | '-'>>;
	readonly words: ReadonlySet<string>;
	readonly quoted: readonly string[];
	readonly identifiers: readonly string[];
}

const NEGATIONS: ReadonlySet<string> = new Set([
	'not', 'no', 'never', 'none', 'nothing', 'nobody', 'nowhere', 'neither', 'nor', 'without', 'cannot',
	"can't", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "shouldn't",
	"couldn't", "mustn't", "hasn't", "haven't", "hadn't", "needn't", "shan't", "ain't",
	'cant', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'wouldnt', 'shouldnt', 'couldnt', 'hasnt', 'havent',
]);

/**
 * Words with an opposite. Group name → [positive forms, negative forms]. A group conflicts when the
 * two queries carry different signs, or when one carries a negative form and the other none
 * ("disable X" vs "X"). A positive form alone is tolerated, because several are also common
 * prepositions ("password on mobile" vs "password from mobile").
 */
const POLARITY_GROUPS: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = {
	activation: [['on', 'enable', 'activate', 'start', 'open', 'show', 'unhide', 'turnon', 'switchon', 'resume'], ['off', 'disable', 'deactivate', 'stop', 'close', 'hide', 'turnoff', 'switchoff', 'pause', 'shut']],
	inclusion: [['include', 'with', 'add', 'allow', 'accept', 'permit', 'grant', 'approve', 'whitelist', 'allowlist'], ['exclude', 'remove', 'delete', 'deny', 'block', 'reject', 'forbid', 'revoke', 'decline', 'blacklist', 'denylist', 'drop']],
	session: [['in', 'login', 'signin', 'signup', 'subscribe', 'join', 'opt-in', 'optin'], ['out', 'logout', 'signout', 'unsubscribe', 'leave', 'opt-out', 'optout', 'cancel']],
	direction: [['increase', 'raise', 'more', 'higher', 'up', 'upgrade', 'grow', 'expand', 'above', 'over', 'maximum', 'max', 'most', 'largest', 'highest', 'longer', 'bigger', 'faster'], ['decrease', 'reduce', 'lower', 'less', 'fewer', 'down', 'downgrade', 'shrink', 'collapse', 'below', 'under', 'minimum', 'min', 'least', 'smallest', 'lowest', 'shorter', 'smaller', 'slower']],
	time: [['after', 'next', 'later', 'future', 'newest', 'new'], ['before', 'previous', 'last', 'earlier', 'past', 'oldest', 'old']],
	truth: [['true', 'yes', 'success', 'succeed', 'pass', 'valid', 'correct', 'right'], ['false', 'failure', 'fail', 'invalid', 'incorrect', 'wrong', 'error']],
	transfer: [['import', 'upload', 'send', 'push', 'buy', 'deposit'], ['export', 'download', 'receive', 'pull', 'sell', 'withdraw']],
	crypto: [['encrypt', 'encode', 'compress', 'serialize', 'lock', 'freeze', 'mount', 'install', 'attach', 'connect', 'link', 'follow', 'mute', 'pin', 'archive'], ['decrypt', 'decode', 'decompress', 'deserialize', 'unlock', 'unfreeze', 'unmount', 'uninstall', 'detach', 'disconnect', 'unlink', 'unfollow', 'unmute', 'unpin', 'unarchive']],
	visibility: [['public', 'visible', 'shared'], ['private', 'hidden', 'invisible']],
	position: [['first', 'top', 'start', 'beginning', 'inside', 'internal'], ['last', 'bottom', 'end', 'ending', 'outside', 'external']],
};

/** Pairs that must match exactly as a set: a month, weekday or time-of-day is a value like a number. */
const NAMED_VALUES: ReadonlySet<string> = new Set([
	'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
	'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
	'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
	'am', 'pm', 'today', 'tomorrow', 'yesterday', 'tonight', 'weekend', 'weekday', 'morning', 'afternoon', 'evening', 'night',
	'daily', 'weekly', 'monthly', 'yearly', 'annual', 'annually', 'hourly', 'quarterly',
]);

const NUMBER_WORDS: Readonly<Record<string, string>> = {
	zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
	eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19',
	twenty: '20', thirty: '30', forty: '40', fifty: '50', sixty: '60', seventy: '70', eighty: '80', ninety: '90',
	hundred: '100', thousand: '1000', million: '1000000', billion: '1000000000', dozen: '12', half: '0.5', once: '1x', twice: '2x', thrice: '3x',
	single: '1', double: '2x', triple: '3x', couple: '2',
};

const POLARITY_INDEX: ReadonlyMap<string, { readonly group: string; readonly sign: '+' | '-' }> = (() => {
	const index = new Map<string, { group: string; sign: '+' | '-' }>();
	for (const [group, [plus, minus]] of Object.entries(POLARITY_GROUPS)) {
		for (const word of plus) if (!index.has(word)) index.set(word, { group, sign: '+' });
		for (const word of minus) if (!index.has(word)) index.set(word, { group, sign: '-' });
	}
	return index;
})();

/** Opposite-forming prefixes: "lock"/"unlock", "like"/"dislike", "valid"/"invalid". */
const OPPOSITE_PREFIXES = ['un', 'dis', 'de', 'in', 'im', 'il', 'ir', 'non', 'non-', 'anti', 'anti-'];

/** Verb particles joined to the verb before them, so "log in" reads as `login`, "turn on" as `turnon`. */
const PHRASAL: ReadonlyMap<string, ReadonlySet<string>> = new Map([
	['in', new Set(['log', 'logged', 'logging', 'sign', 'signed', 'signing', 'opt', 'opted', 'check', 'checked'])],
	['out', new Set(['log', 'logged', 'logging', 'sign', 'signed', 'signing', 'opt', 'opted', 'check', 'checked'])],
	['up', new Set(['sign', 'signed', 'signing'])],
	['on', new Set(['turn', 'turned', 'turning', 'switch', 'switched', 'switching'])],
	['off', new Set(['turn', 'turned', 'turning', 'switch', 'switched', 'switching'])],
]);

/**
 * Whether two queries may share a cached answer. Disagreement reasons name the first differing
 * feature (`numbers differ: 123 vs 124`).
 */
export function guardAgrees(a: string, b: string): GuardResult {
	const fa = features(a);
	const fb = features(b);
	if (!sameMultiset(fa.numbers, fb.numbers)) return differ('numbers', fa.numbers, fb.numbers);
	if (!sameSet(fa.named, fb.named)) return differ('dates/times', fa.named, fb.named);
	if (fa.negations !== fb.negations) return { agree: false, reason: `negation differs: ${fa.negations} vs ${fb.negations} negating word(s)` };
	const polarity = polarityConflict(fa.polarity, fb.polarity);
	if (polarity) return { agree: false, reason: polarity };
	const prefixed = prefixedOpposite(fa.words, fb.words) ?? prefixedOpposite(fb.words, fa.words);
	if (prefixed) return { agree: false, reason: `opposites: "${prefixed[0]}" vs "${prefixed[1]}"` };
	if (!sameSet(fa.quoted, fb.quoted)) return differ('quoted text', fa.quoted, fb.quoted);
	if (!sameSet(fa.identifiers, fb.identifiers)) return differ('identifiers', fa.identifiers, fb.identifiers);
	return { agree: true };
}

function differ(what: string, a: readonly string[], b: readonly string[]): GuardResult {
	const show = (list: readonly string[]): string => (list.length === 0 ? '(none)' : [...new Set(list)].sort().join(', '));
	return { agree: false, reason: `${what} differ: ${show(a)} vs ${show(b)}` };
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
	if (a.length !== b.length) return false;
	const x = [...a].sort();
	const y = [...b].sort();
	return x.every((value, i) => value === y[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
	const x = new Set(a);
	const y = new Set(b);
	if (x.size !== y.size) return false;
	for (const value of x) if (!y.has(value)) return false;
	return true;
}

function polarityConflict(a: ReadonlyMap<string, ReadonlySet<'+' | '-'>>, b: ReadonlyMap<string, ReadonlySet<'+' | '-'>>): string | undefined {
	const empty: ReadonlySet<'+' | '-'> = new Set();
	for (const group of new Set([...a.keys(), ...b.keys()])) {
		const x = a.get(group) ?? empty;
		const y = b.get(group) ?? empty;
		if (x.size === y.size && [...x].every((s) => y.has(s))) continue;
		const oneSidedPositive = (x.size === 0 && !y.has('-')) || (y.size === 0 && !x.has('-'));
		if (oneSidedPositive) continue;
		const show = (s: ReadonlySet<string>): string => (s.size === 0 ? 'none' : [...s].sort().join(''));
		return `${group} polarity differs: ${show(x)} vs ${show(y)}`;
	}
	return undefined;
}

function prefixedOpposite(a: ReadonlySet<string>, b: ReadonlySet<string>): readonly [string, string] | undefined {
	for (const word of a) {
		if (b.has(word)) continue;
		for (const prefix of OPPOSITE_PREFIXES) {
			if (!word.startsWith(prefix)) continue;
			const base = word.slice(prefix.length);
			if (base.length >= 3 && b.has(base) && !a.has(base)) return [word, base];
		}
	}
	return undefined;
}

const EDGE_PUNCTUATION = '.,;:!?()[]{}<>"\'`“”‘’«»…';

function features(text: string): Features {
	const normalized = text.normalize('NFKC').replace(/[’‘´]/g, "'");
	const quoted = quotedSpans(normalized);
	const numbers: string[] = [];
	const named: string[] = [];
	const identifiers: string[] = [];
	const wordList: string[] = [];
	for (const raw of normalized.split(/\s+/)) {
		const chunk = stripEdges(raw);
		if (chunk === '') continue;
		const number = numberToken(chunk);
		if (number !== undefined) {
			numbers.push(...number);
			continue;
		}
		if (isCodeLike(chunk)) {
			identifiers.push(chunk);
			continue;
		}
		for (const w of chunk.toLowerCase().match(/[\p{L}\p{N}'-]+/gu) ?? []) {
			const word = w.replace(/^['-]+/, '').replace(/['-]+$/, '');
			if (word !== '') wordList.push(word);
		}
	}
	let negations = 0;
	const polarity = new Map<string, Set<'+' | '-'>>();
	const words = new Set<string>();
	for (let i = 0; i < wordList.length; i++) {
		const word = wordList[i] as string;
		if (NEGATIONS.has(word) || word.endsWith("n't")) {
			negations++;
			continue;
		}
		const spelled = NUMBER_WORDS[word];
		if (spelled !== undefined) {
			numbers.push(spelled);
			continue;
		}
		if (NAMED_VALUES.has(word)) named.push(word);
		const lemma = lemmaOf(word);
		words.add(lemma);
		const verbs = PHRASAL.get(word);
		const previous = wordList[i - 1];
		const phrasal = verbs !== undefined && previous !== undefined && verbs.has(previous) ? POLARITY_INDEX.get(`${previous.replace(/(?:ged|ging|ed|ing)$/, '')}${word}`) : undefined;
		const entry = phrasal ?? POLARITY_INDEX.get(lemma) ?? POLARITY_INDEX.get(word);
		if (entry) {
			const signs = polarity.get(entry.group) ?? new Set<'+' | '-'>();
			signs.add(entry.sign);
			polarity.set(entry.group, signs);
		}
	}
	return { numbers, named, negations, polarity, words, quoted, identifiers };
}

function stripEdges(chunk: string): string {
	let start = 0;
	let end = chunk.length;
	while (start < end && EDGE_PUNCTUATION.includes(chunk[start] as string)) start++;
	while (end > start && EDGE_PUNCTUATION.includes(chunk[end - 1] as string)) end--;
	return chunk.slice(start, end);
}

/** Inflected forms to the base the polarity table uses: enabling → enable, stopped → stop, logs → log. */
function lemmaOf(word: string): string {
	if (POLARITY_INDEX.has(word)) return word;
	const candidates: string[] = [];
	for (const suffix of ['ing', 'ed', 'es', 's', 'd']) {
		if (!word.endsWith(suffix) || word.length - suffix.length < 2) continue;
		const stem = word.slice(0, -suffix.length);
		candidates.push(stem, `${stem}e`);
		if (stem.length > 2 && stem[stem.length - 1] === stem[stem.length - 2]) candidates.push(stem.slice(0, -1));
	}
	return candidates.find((c) => POLARITY_INDEX.has(c)) ?? word;
}

/**
 * A chunk made only of digits and number punctuation → its normalised number(s), else undefined.
 * `1,000` = `1000`; `1.50` = `1.5`; `007` = `7`; dates, times and versions (`2024-01-05`, `10:30`,
 * `1.2.3`) stay one compound token so `2024-01-05` and `2024-05-01` differ. `$`, `#`, `€`, `£`, a
 * sign and a trailing `%` are kept as part of the value.
 */
function numberToken(chunk: string): string[] | undefined {
	let body = chunk;
	let prefix = '';
	let suffix = '';
	if (body.length > 1 && '$€£¥#'.includes(body[0] as string)) {
		prefix = body[0] === '#' ? '' : (body[0] as string);
		body = body.slice(1);
	}
	if (body.length > 1 && (body[0] === '-' || body[0] === '+') && body[1] !== undefined && isDigit(body[1])) {
		prefix += body[0] === '-' ? '-' : '';
		body = body.slice(1);
	}
	if (body.endsWith('%')) {
		suffix = '%';
		body = body.slice(0, -1);
	}
	if (body === '' || !isDigit(body[0] as string) || !isDigit(body[body.length - 1] as string)) return undefined;
	for (const c of body) if (!isDigit(c) && !',.-/:'.includes(c)) return undefined;
	const compound = /[-/:]/.test(body) || (body.match(/\./g)?.length ?? 0) > 1;
	if (compound) {
		const parts = body.split(/[-/:.]/).map(stripLeadingZeros);
		if (parts.some((p) => p === '')) return undefined;
		const separators = body.replace(/[0-9,]/g, '');
		return [`${prefix}${parts.join(separators[0] ?? '-')}${suffix}`];
	}
	const groups = body.split(',');
	const thousands = groups.length > 1 && (groups[0] as string).length <= 3 && groups.slice(1).every((g, i, all) => (i === all.length - 1 ? /^\d{3}(\.\d+)?$/.test(g) : /^\d{3}$/.test(g)));
	const values = thousands ? [groups.join('')] : groups;
	if (values.some((v) => v === '' || v.startsWith('.') || v.endsWith('.'))) return undefined;
	return values.map((v) => `${prefix}${canonicalDecimal(v)}${suffix}`);
}

function isDigit(c: string): boolean {
	return c >= '0' && c <= '9';
}

function stripLeadingZeros(digits: string): string {
	const stripped = digits.replace(/^0+/, '');
	return stripped === '' && digits !== '' ? '0' : stripped;
}

/** As strings, so ids longer than 2^53 keep every digit. */
function canonicalDecimal(value: string): string {
	const [int = '', frac = ''] = value.split('.');
	const fraction = frac.replace(/0+$/, '');
	return fraction === '' ? stripLeadingZeros(int) : `${stripLeadingZeros(int)}.${fraction}`;
}

/**
 * snake_case, camelCase, paths, emails, URLs, dotted names, `--flags` and letter-digit mixes
 * (`A123`, `10am`, `v2`): things whose exact spelling matters, compared case-sensitively.
 */
function isCodeLike(chunk: string): boolean {
	if (/[_/\\@=#$]/.test(chunk) || chunk.includes('::') || chunk.startsWith('--')) return true;
	if (/\p{Ll}\p{Lu}/u.test(chunk)) return true;
	if (/\p{L}\.\p{L}/u.test(chunk) || /\p{L}\.\p{N}|\p{N}\.\p{L}/u.test(chunk)) return true;
	return /\p{L}/u.test(chunk) && /\p{N}/u.test(chunk);
}

const QUOTE_PAIRS: Readonly<Record<string, string>> = { '`': '`', '"': '"', '“': '”', "'": "'", '«': '»' };

/**
 * Text inside backticks, double quotes and single quotes (curly ones already folded to `'`). A
 * single quote opens only after a non-letter and closes only before a non-letter, so the
 * apostrophes of "don't … isn't" never pair up. One left-to-right pass.
 */
function quotedSpans(text: string): string[] {
	const spans: string[] = [];
	// Once an opening quote finds no close, no later one of the same kind can: skipping them keeps
	// the scan linear on text full of unmatched quotes.
	const exhausted = new Set<string>();
	let i = 0;
	while (i < text.length) {
		const open = text[i] as string;
		const close = QUOTE_PAIRS[open];
		if (close === undefined || exhausted.has(open) || (open === "'" && i > 0 && isWordChar(text[i - 1] as string))) {
			i++;
			continue;
		}
		let j = i + 1;
		let found = -1;
		while (j < text.length) {
			if (text[j] === close && (close !== "'" || j + 1 >= text.length || !isWordChar(text[j + 1] as string))) {
				found = j;
				break;
			}
			j++;
		}
		if (found === -1) {
			exhausted.add(open);
			i++;
			continue;
		}
		const inner = text.slice(i + 1, found).trim().replace(/\s+/g, ' ');
		if (inner !== '') spans.push(inner);
		i = found + 1;
	}
	return spans;
}

function isWordChar(c: string): boolean {
	return /[\p{L}\p{N}]/u.test(c);
}
