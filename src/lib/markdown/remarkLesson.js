/**
 * Build-time remark plugins for lesson documents (mdsvex). They run in Node when the site is
 * built, so none of their work reaches the reader as JavaScript:
 *
 * - `remarkKatex` renders `$…$` and `$$…$$` (parsed by remark-math) to KaTeX HTML + MathML.
 * - `remarkCitations` turns `[@key]` and `[@a; @b]` into numbered links to the lesson's
 *   reference list, numbered by the order of `references` in the frontmatter; an unknown key
 *   fails the build. The keys cited in the text are exported as `cited`.
 * - `remarkOutline` gives h2/h3 headings stable ids, and adds the table of contents and the
 *   reading time to the frontmatter that mdsvex exports as `metadata`.
 *
 * Svelte treats `{` in markup as an expression, and KaTeX's MathML carries the TeX source, so
 * rendered HTML is emitted as `{@html "…"}` with the markup as a string literal.
 */
import katex from 'katex';
import GithubSlugger from 'github-slugger';

/** Words per minute used for the reading-time estimate of lesson prose. */
export const WORDS_PER_MINUTE = 220;

/**
 * Walk every node depth-first, calling `fn(node, index, parent)`.
 * @param {any} node
 * @param {(node: any, index: number, parent: any) => void} fn
 */
function walk(node, fn) {
	const kids = node.children;
	if (!Array.isArray(kids)) return;
	for (let i = 0; i < kids.length; i++) {
		fn(kids[i], i, node);
		walk(kids[i], fn);
	}
}

/**
 * A raw HTML node whose markup Svelte inserts verbatim.
 * @param {string} markup
 */
function rawHtml(markup) {
	return { type: 'html', value: `{@html ${JSON.stringify(markup)}}` };
}

/** Render math nodes to static KaTeX markup; bad TeX fails the build. */
export function remarkKatex() {
	/** @param {any} tree */
	return (tree) => {
		walk(tree, (node, index, parent) => {
			if (node.type !== 'math' && node.type !== 'inlineMath') return;
			const displayMode = node.type === 'math';
			const html = katex.renderToString(node.value, { displayMode, throwOnError: true });
			parent.children[index] = displayMode
				? rawHtml(`<div class="math-display">${html}</div>`)
				: rawHtml(html);
		});
	};
}

const CITE = /^@[\w-]+(\s*;\s*@[\w-]+)*$/;

/**
 * Turn `[@key]` citations into numbered links. The number of a key is its position in the
 * frontmatter's `references` list (1-based).
 */
export function remarkCitations() {
	/**
	 * @param {any} tree
	 * @param {any} file
	 */
	return (tree, file) => {
		/** @type {{ id: string }[]} */
		const refs = file.data?.fm?.references ?? [];
		const number = new Map(refs.map((r, i) => [r.id, i + 1]));
		const seen = new Set();
		walk(tree, (node, index, parent) => {
			if (node.type !== 'linkReference') return;
			const label = String(node.label ?? node.identifier ?? '').trim();
			if (!CITE.test(label)) return;
			const keys = label.split(';').map((k) => k.trim().slice(1));
			const links = keys.map((key) => {
				const n = number.get(key);
				if (n === undefined) {
					throw new Error(`${file.path ?? 'lesson'}: citation [@${key}] is not in references`);
				}
				const id = seen.has(key) ? '' : ` id="cite-${key}"`;
				seen.add(key);
				return `<a href="#ref-${key}"${id} aria-label="reference ${n}">${n}</a>`;
			});
			parent.children[index] = {
				type: 'html',
				value: `<sup class="cite">[${links.join(', ')}]</sup>`
			};
		});
		if (!file.data.fm) file.data.fm = {};
		file.data.fm.cited = [...seen];
	};
}

/**
 * Plain text of a node and its children.
 * @param {any} node
 * @returns {string}
 */
function textOf(node) {
	if (typeof node.value === 'string' && (node.type === 'text' || node.type === 'inlineCode')) {
		return node.value;
	}
	if (node.type === 'inlineMath') return node.value;
	return Array.isArray(node.children) ? node.children.map(textOf).join('') : '';
}

/**
 * Give h2/h3 headings ids; export `toc` (with the lesson's "What to remember" box, whose heading
 * the component renders) and `minutes` (reading time) in the metadata.
 */
export function remarkOutline() {
	/**
	 * @param {any} tree
	 * @param {any} file
	 */
	return (tree, file) => {
		const slugger = new GithubSlugger();
		/** @type {{ id: string; text: string; depth: number }[]} */
		const toc = [];
		let words = 0;
		walk(tree, (node) => {
			if (node.type === 'text') words += node.value.split(/\s+/).filter(Boolean).length;
			// The box renders its own h2 (Takeaways.svelte's default id), so list it where it stands.
			if (node.type === 'html' && /^<Takeaways[\s>]/.test(node.value)) {
				toc.push({ id: 'what-to-remember', text: 'What to remember', depth: 2 });
			}
			if (node.type !== 'heading' || node.depth < 2 || node.depth > 3) return;
			const text = textOf(node).trim();
			const id = slugger.slug(text);
			node.data = { ...node.data, hProperties: { ...node.data?.hProperties, id } };
			toc.push({ id, text, depth: node.depth });
		});
		if (!file.data.fm) file.data.fm = {};
		file.data.fm.toc = toc;
		file.data.fm.minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
	};
}
