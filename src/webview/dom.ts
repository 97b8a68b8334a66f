/**
 * Tiny DOM builder for the playground. Text goes in as `textContent` only: the page shows model
 * output and code from the user's files, and nothing here ever parses a string as HTML.
 */
type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;
type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
	const el = document.createElement(tag);
	for (const [name, value] of Object.entries(attrs)) {
		if (value === undefined || value === false) continue;
		el.setAttribute(name, value === true ? '' : String(value));
	}
	append(el, children);
	return el;
}

export function append(parent: Node, children: readonly Child[]): void {
	for (const child of children) {
		if (child === undefined || child === false) continue;
		parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
	}
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
	parent.replaceChildren();
	append(parent, children);
}

let nextId = 0;
/** A unique element id, for `<label for>` and `aria-describedby`. */
export function uid(prefix: string): string {
	nextId += 1;
	return `${prefix}-${nextId}`;
}
