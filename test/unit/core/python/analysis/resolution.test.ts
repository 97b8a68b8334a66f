import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dirnameOf, joinPath } from '../../../../../src/core/analysis/paths';
import type { CallSite, SourceResolver } from '../../../../../src/core/analysis/types';
import { analyzePythonSource } from '../../../../../src/core/python/analysis/analyze';
import type { PythonParser } from '../../../../../src/core/python/parser';
import { pythonParser } from '../pyTestUtil';

let parser: PythonParser;
before(async () => {
	parser = await pythonParser();
});

/** An in-memory resolver that joins the specifier to the importing file's directory, recording every request. */
function memoryResolver(files: Record<string, string>, asked: string[] = []): SourceResolver {
	return {
		resolveModule(from, specifier) {
			asked.push(specifier);
			const fileName = joinPath(dirnameOf(from), specifier);
			const text = files[fileName];
			return text !== undefined ? { fileName, text } : undefined;
		},
		readTextFile: (from, rel) => files[joinPath(dirnameOf(from), rel)],
	};
}

const HEADER = 'from anthropic import Anthropic\nclient = Anthropic()\n';

function only(text: string, resolver?: SourceResolver, fileName = '/p/main.py'): CallSite {
	const r = analyzePythonSource(text, fileName, parser, resolver).analysis;
	assert.equal(r.skipped, undefined);
	assert.equal(r.callSites.length, 1, JSON.stringify(r.callSites.map((s) => s.api)));
	return r.callSites[0]!;
}

function lit<T>(s: { kind: string; value?: T } | undefined): T | undefined {
	return s?.kind === 'literal' ? s.value : undefined;
}

test('numeric separators, arithmetic and constant numbers for max_tokens; dynamic when reassigned', () => {
	const a = only(HEADER + 'BUDGET = 2 * 1_024\nclient.messages.create(model="m", max_tokens=BUDGET, messages=[])');
	assert.equal(lit(a.maxOutputTokens), 2048);
	const b = only(HEADER + 'def f(x):\n    budget = 10\n    if x:\n        budget = 20\n    return client.messages.create(model="m", max_tokens=budget, messages=[])');
	assert.equal(b.maxOutputTokens?.kind, 'dynamic');
	const c = only(HEADER + 'def f():\n    budget = 10\n    budget += 5\n    return client.messages.create(model="m", max_tokens=budget, messages=[])');
	assert.equal(c.maxOutputTokens?.kind, 'dynamic', 'augmented assignment');
});

test('a dict bound to a name, splatted with overrides in order; an unknown **x marks the request', () => {
	const text = HEADER + 'DEFAULTS = {"model": "a", "max_tokens": 1, "stream": False}\ndef go():\n    req = {**DEFAULTS, "model": "b", **dict(max_tokens=3)}\n    return client.messages.create(**req)';
	const s = only(text);
	assert.equal(lit(s.model), 'b');
	assert.equal(lit(s.maxOutputTokens), 3);
	assert.equal(lit(s.stream), false);
	assert.equal(s.unresolvedArgs, undefined);
	assert.equal(text.slice(s.span.start, s.span.end), 'client.messages.create(**req)');
	assert.equal(text.slice(s.argsSpan!.start, s.argsSpan!.end), '(**req)');
	const u = only(HEADER + 'def go(opts):\n    return client.messages.create(model="m", max_tokens=5, **opts)');
	assert.equal(u.unresolvedArgs, true);
	assert.equal(lit(u.model), 'm');
	const mutated = only(HEADER + 'def go(n):\n    req = {"model": "m"}\n    req["max_tokens"] = n\n    return client.messages.create(**req)');
	assert.equal(mutated.unresolvedArgs, true, 'a dict changed after its literal');
});

test('inner scopes shadow outer constants; locals assigned once resolve', () => {
	const s = only(HEADER + 'MODEL = "outer"\ndef f(MODEL):\n    return client.messages.create(model=MODEL, max_tokens=1, messages=[])');
	assert.equal(s.model?.kind, 'dynamic');
	const local = only(HEADER + 'MODEL = "outer"\ndef f(q):\n    MODEL = "inner"\n    prompt = f"Q: {q}"\n    return client.messages.create(model=MODEL, max_tokens=1, messages=[{"role": "user", "content": prompt}])');
	assert.equal(lit(local.model), 'inner');
	assert.deepEqual([local.segments[0]?.content?.text, local.segments[0]?.content?.holes], ['Q: ', 1]);
	const loop = only(HEADER + 'def f(items):\n    for MODEL in items:\n        client.messages.create(model=MODEL, max_tokens=1, messages=[])');
	assert.equal(loop.model?.kind, 'dynamic', 'a loop variable');
});

test('constants through re-exporting modules, with nested origins and a file read in the imported module', () => {
	const resolver = memoryResolver({
		'/p/prompts.py': '_base = "Be exact."\nSYSTEM = _base\nfrom .more import EXTRA\n',
		'/p/more.py': 'from pathlib import Path\nEXTRA = Path(__file__).with_name("x").parent.joinpath("extra.txt").read_text()\nOTHER = (Path(__file__).parent / "extra.txt").read_text()\n',
		'/p/extra.txt': 'Extra rules.',
	});
	const text = HEADER + 'from .prompts import SYSTEM\nfrom .more import OTHER\nclient.messages.create(model="m", max_tokens=1, system=f"{SYSTEM} {OTHER}", messages=[])';
	const system = only(text, resolver).segments[0]?.content;
	assert.equal(system?.text, 'Be exact. Extra rules.');
	assert.equal(system?.holes, 0);
	assert.deepEqual(system?.origins, ['./prompts.py#SYSTEM', './more.py#OTHER', './extra.txt']);
});

test('holes inside an imported f-string are reported at the import use in the analysed file', () => {
	const resolver = memoryResolver({ '/p/prompts.py': 'import os\nGREET = f"Hello {os.environ[\'NAME\']}!"\n' });
	const text = HEADER + 'from prompts import GREET\nclient.messages.create(model="m", max_tokens=1, messages=[{"role": "user", "content": GREET}])';
	const content = only(text, resolver).segments[0]?.content;
	assert.equal(content?.text, 'Hello !');
	assert.equal(content?.holes, 1);
	assert.deepEqual(content?.holeSpans.map((h) => text.slice(h.start, h.end)), ['GREET']);
});

test('import paths: ./x.py then ./x/__init__.py, dotted packages, parent directories, leading dots', () => {
	const asked: string[] = [];
	const resolver = memoryResolver({
		'/p/app/prompts.py': 'A = "from app"\n',
		'/p/shared/__init__.py': 'B = "from shared"\n',
		'/p/lib/texts.py': 'C = "from lib"\n',
		'/p/sub/deeper/consts.py': 'D = "from consts"\n',
	}, asked);
	const text = HEADER + 'from app.prompts import A\nimport shared\nfrom ...lib.texts import C\nfrom . import consts\nclient.messages.create(model="m", max_tokens=1, system=A + "|" + shared.B + "|" + C + "|" + consts.D, messages=[])';
	const system = only(text, resolver, '/p/sub/deeper/main.py').segments[0]?.content;
	assert.equal(system?.text, 'from app|from shared|from lib|from consts');
	assert.ok(asked.includes('../../app/prompts.py'), asked.join(' '));
	assert.ok(asked.includes('./app/prompts.py'));
	assert.ok(asked.includes('../../shared/__init__.py'));
	assert.ok(asked.includes('../../lib/texts.py'));
	assert.ok(!asked.some((s) => /anthropic|textwrap/.test(s)), 'SDK and standard modules are never asked for');
});

test('with open(...) as f: f.read(), os.path.join(os.path.dirname(__file__), …), " ".join(tuple)', () => {
	const resolver = memoryResolver({ '/p/prompts/sys.md': '# System', '/p/user.txt': 'User text' });
	const text = HEADER + 'import os\nwith open(os.path.join(os.path.dirname(__file__), "prompts", "sys.md")) as fh:\n    SYS = fh.read()\nUSER = " ".join(("a", "b", open("user.txt").read()))\nclient.messages.create(model="m", max_tokens=1, system=SYS, messages=[{"role": "user", "content": USER}])';
	const [system, user] = only(text, resolver).segments;
	assert.equal(system?.content?.text, '# System');
	assert.deepEqual(system?.content?.origins, ['./prompts/sys.md']);
	assert.equal(user?.content?.text, 'a b User text');
	const missing = only(HEADER + 'client.messages.create(model="m", max_tokens=1, system=open("/etc/passwd").read(), messages=[])', resolver);
	assert.equal(missing.segments[0]?.content?.holes, 1, 'absolute paths are not read');
});

test('OpenAI Assistants threads.messages.create is not reported; wrappers keep the client', () => {
	const r = analyzePythonSource('from openai import OpenAI\nimport instructor\nopenai = OpenAI()\ntraced = instructor.from_openai(OpenAI())\nopenai.beta.threads.messages.create("t", role="user", content="x")\ntraced.chat.completions.create(model="gpt-4o", messages=[])\nopenai.with_options(timeout=5).chat.completions.create(model="gpt-4o", messages=[])\n', '/p/a.py', parser).analysis;
	assert.deepEqual(r.callSites.map((s) => [s.api, s.provider, s.providerEvidence]), [['chat.completions.create', 'openai', 'constructor'], ['chat.completions.create', 'openai', 'constructor']]);
});

test('prefill after the last user turn is an assistant segment; an unreadable message is unknown', () => {
	const s = only(HEADER + 'def f(dyn):\n    client.messages.create(model="m", max_tokens=1, messages=[dyn, {"role": "user", "content": "q"}, {"role": "assistant", "content": "{"}])');
	assert.deepEqual(s.segments.map((g) => [g.role, g.content?.text, g.unknownMessages]), [['example', undefined, true], ['user', 'q', undefined], ['assistant', '{', undefined]]);
	assert.deepEqual(s.segments.map((g) => g.messageIndex), [0, 1, 2]);
});

test('tools render as compact JSON; None and NOT_GIVEN parameters count as absent', () => {
	const s = only(HEADER + 'TOOLS = [{"name": "get_weather", "input_schema": {"type": "object", "required": ["city"], "x": None, "y": True, "n": -1.5}}]\nclient.messages.create(model="m", max_tokens=1, tools=TOOLS, messages=[])');
	assert.equal(s.hasTools, true);
	assert.equal(s.segments[0]?.content?.text, '[{"name":"get_weather","input_schema":{"type":"object","required":["city"],"x":null,"y":true,"n":-1.5}}]');
	const absent = only(HEADER + 'from anthropic import NOT_GIVEN\nclient.messages.create(model="m", max_tokens=None, tools=NOT_GIVEN, system=None, messages=[])');
	assert.deepEqual([absent.hasTools, absent.maxOutputParam, absent.segments.length], [false, undefined, 0]);
	assert.equal(only(HEADER + 'client.messages.create(model="m", max_tokens=1, tools=[], messages=[])').hasTools, false);
});

test('string forms: prefixes, escapes, implicit concatenation, triple quotes, f-string braces', () => {
	const text = HEADER + 'P = (\n    "a\\tb\\u00e9\\N{BULLET}"\n    u\'c\' R"\\d"\n    f"{{x}}"\n    """\nline\\\ncont"""\n)\nclient.messages.create(model="m", max_tokens=1, system=P, messages=[])';
	assert.equal(only(text).segments[0]?.content?.text, 'a\tbé\u25a1c\\d{x}\nlinecont');
});

test('cache_control on a tool definition marks the tools segment (inline and from a module constant, or in a sibling module); absent / None does not', () => {
	const inline = only(HEADER + 'client.messages.create(model="m", max_tokens=5, tools=[{"name": "a"}, {"name": "b", "cache_control": {"type": "ephemeral"}}], messages=[{"role": "user", "content": "q"}])\n');
	assert.equal(inline.segments[0]!.role, 'tools');
	assert.deepEqual(inline.segments[0]!.cacheControl, { ttl: '5m' });
	assert.equal(inline.topLevelCacheControl, false);
	const constant = only(HEADER + 'TOOL = {"name": "b", "cache_control": {"type": "ephemeral", "ttl": "1h"}}\nTOOLS = [{"name": "a"}, TOOL]\n\ndef f(q):\n    return client.messages.create(model="m", max_tokens=5, tools=TOOLS, messages=[{"role": "user", "content": q}])\n');
	assert.deepEqual(constant.segments[0]!.cacheControl, { ttl: '1h' });
	const files = { '/p/tools.py': 'TOOLS = [{"name": "a", "cache_control": {"type": "ephemeral"}}]\n' };
	const imported = only('from .tools import TOOLS\n' + HEADER + 'client.messages.create(model="m", max_tokens=5, tools=TOOLS, messages=[])\n', memoryResolver(files));
	assert.deepEqual(imported.segments[0]!.cacheControl, { ttl: '5m' });
	const none = only(HEADER + 'client.messages.create(model="m", max_tokens=5, tools=[{"name": "a", "cache_control": None}, {"name": "b"}], messages=[])\n');
	assert.equal(none.segments[0]!.role, 'tools');
	assert.equal(none.segments[0]!.cacheControl, undefined);
	const unknown = only(HEADER + 'def f(extra):\n    return client.messages.create(model="m", max_tokens=5, tools=[*extra, {"name": "b"}], messages=[])\n');
	assert.equal(unknown.segments[0]!.cacheControl, undefined);
	assert.equal(unknown.hasTools, true);
});

/** The system segment of the only call. */
function systemOf(text: string): { text: string; holes: number } {
	const seg = only(text).segments.find((s) => s.role === 'system');
	assert.ok(seg?.content, 'system segment');
	return { text: seg.content.text, holes: seg.content.holes };
}

test('`=` then straight-line `+=` in the same block resolves to the concatenation (holes only for the dynamic parts)', () => {
	const policy = 'You are a support agent. Be precise. '.repeat(20);
	const fn = (body: string): string => `${HEADER}POLICY = """${policy}"""\nSUFFIX = "\\nAnswer briefly."\n\ndef ask(q, tier):\n${body}    return client.messages.create(model="m", max_tokens=5, system=system, messages=[{"role": "user", "content": q}])\n`;
	assert.deepEqual(systemOf(fn('    system = POLICY\n    system += f"\\nCustomer tier: {tier}"\n    system += SUFFIX\n')), { text: policy + '\nCustomer tier: ' + '\nAnswer briefly.', holes: 1 });
	// Annotated first assignment, a comment and other statements in between.
	assert.deepEqual(systemOf(fn('    system: str = "A"\n    # more\n    log(q)\n    system += "B"\n')), { text: 'AB', holes: 0 });
	// At module level too.
	assert.deepEqual(systemOf(`${HEADER}system = "A"\nsystem += "B" "C"\nclient.messages.create(model="m", max_tokens=5, system=system, messages=[])\n`), { text: 'ABC', holes: 0 });
	// Only the `+=`s before the call count.
	assert.deepEqual(systemOf(`${HEADER}def f():\n    system = "A"\n    system += "B"\n    r = client.messages.create(model="m", max_tokens=5, system=system, messages=[])\n    system += "C"\n    return r\n`), { text: 'AB', holes: 0 });
});

test('conditional `+=` (if / for / try) keeps what certainly runs and counts one hole for each; a conditional `=` or another operator stays one hole', () => {
	const fn = (body: string): string => `${HEADER}def ask(q, extra, rules):\n${body}    return client.messages.create(model="m", max_tokens=5, system=system, messages=[{"role": "user", "content": q}])\n`;
	const conditional = fn('    system = "A"\n    if extra:\n        system += "VIP"\n    system += "B"\n');
	assert.deepEqual(systemOf(conditional), { text: 'AB', holes: 1 });
	const [hole] = only(conditional).segments.find((s) => s.role === 'system')!.content!.holeSpans;
	assert.equal(conditional.slice(hole!.start, hole!.end), '"VIP"');
	assert.deepEqual(systemOf(fn('    system = "A"\n    for r in rules:\n        system += r\n')), { text: 'A', holes: 1 });
	assert.deepEqual(systemOf(fn('    system = "A"\n    try:\n        system += load()\n    except Exception:\n        pass\n')), { text: 'A', holes: 1 });
	// The `=` itself is conditional: nothing is proven (today's behaviour, a hole).
	assert.deepEqual(systemOf(fn('    if extra:\n        system = "A"\n    else:\n        system = "B"\n    system += "C"\n')), { text: '', holes: 1 });
	assert.deepEqual(systemOf(fn('    system = "A"\n    system *= 2\n')), { text: '', holes: 1 });
	// A module-level name extended at module level, used in a function: not straight-line with the call.
	assert.deepEqual(systemOf(`${HEADER}system = "A"\nsystem += "B"\n\ndef f():\n    return client.messages.create(model="m", max_tokens=5, system=system, messages=[])\n`), { text: '', holes: 1 });
	// Without any `+=` nothing changes: a reassigned name is a hole, as before.
	assert.deepEqual(systemOf(fn('    system = "A"\n    system = "B"\n')), { text: '', holes: 1 });
});
