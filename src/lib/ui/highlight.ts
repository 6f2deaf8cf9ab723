/**
 * A very small highlighter for the lessons' Python snippets: it splits code into comments,
 * string literals and everything else, which is all the colour a short snippet needs. A real
 * highlighter (Prism, Shiki) would add tens of kilobytes of JavaScript to a page whose budget is
 * 150 KB; this one is a single pass over the characters. Joining the pieces' text gives back the
 * code exactly, so what a reader copies is what they see.
 */

/** A run of code and what it is: a `#` comment, a string literal (prefix and quotes included) or other code. */
export interface CodeToken {
	kind: 'comment' | 'string' | 'code';
	text: string;
}

const PREFIX = /^[rRbBuUfF]{1,2}$/;

/**
 * Splits Python source into comment, string and code runs, in order; adjacent code characters are
 * merged. Handles '…', "…", triple quotes, backslash escapes and prefixes such as f"…" and rb'…'.
 * An unterminated string runs to the end of its line (or, triple-quoted, of the code).
 */
export function highlightPython(code: string): CodeToken[] {
	const tokens: CodeToken[] = [];
	const push = (kind: CodeToken['kind'], text: string) => {
		const last = tokens.at(-1);
		if (kind === 'code' && last?.kind === 'code') last.text += text;
		else if (text) tokens.push({ kind, text });
	};
	let i = 0;
	while (i < code.length) {
		const c = code[i];
		if (c === '#') {
			const end = code.indexOf('\n', i);
			const stop = end === -1 ? code.length : end;
			push('comment', code.slice(i, stop));
			i = stop;
		} else if (c === '"' || c === "'") {
			const prev = tokens.at(-1);
			let start = i;
			// A string prefix (f, rb, …) is the identifier just before the quote.
			if (prev?.kind === 'code') {
				const m = /[A-Za-z_]\w*$/.exec(prev.text);
				if (m && PREFIX.test(m[0])) {
					prev.text = prev.text.slice(0, -m[0].length);
					if (!prev.text) tokens.pop();
					start = i - m[0].length;
				}
			}
			const triple = code.startsWith(c.repeat(3), i);
			const quote = triple ? c.repeat(3) : c;
			let j = i + quote.length;
			while (j < code.length) {
				if (code[j] === '\\') j += 2;
				else if (code.startsWith(quote, j)) {
					j += quote.length;
					break;
				} else if (!triple && code[j] === '\n') break;
				else j += 1;
			}
			j = Math.min(j, code.length);
			push('string', code.slice(start, j));
			i = j;
		} else {
			push('code', c);
			i += 1;
		}
	}
	return tokens;
}
