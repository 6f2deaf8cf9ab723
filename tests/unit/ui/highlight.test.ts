/** The snippets' highlighter: it must give back the code exactly and mark comments and strings. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { highlightPython, type CodeToken } from '$lib/ui/highlight';

const kinds = (code: string) => highlightPython(code).map((t: CodeToken) => [t.kind, t.text]);

describe('highlightPython', () => {
	it('splits comments, strings and code', () => {
		expect(kinds('x = "a # b"  # note\ny = 1')).toEqual([
			['code', 'x = '],
			['string', '"a # b"'],
			['code', '  '],
			['comment', '# note'],
			['code', '\ny = 1']
		]);
	});

	it('keeps prefixes, escapes and triple quotes inside the string', () => {
		expect(kinds(`print(f"{n:,d}\\" x")`)).toEqual([
			['code', 'print('],
			['string', 'f"{n:,d}\\" x"'],
			['code', ')']
		]);
		expect(kinds(`def f():\n    """Doc # not a comment\n    'still' doc."""\n`)).toEqual([
			['code', 'def f():\n    '],
			['string', `"""Doc # not a comment\n    'still' doc."""`],
			['code', '\n']
		]);
		expect(kinds('if_ = 1; s = b"x"')).toEqual([
			['code', 'if_ = 1; s = '],
			['string', 'b"x"']
		]);
	});

	it('ends an unterminated string at the end of its line', () => {
		expect(kinds('s = "open\nx = 1')).toEqual([
			['code', 's = '],
			['string', '"open'],
			['code', '\nx = 1']
		]);
	});

	it('gives back every lesson snippet exactly when its pieces are joined', () => {
		const files = readdirSync('lessons').map((d) => `lessons/${d}/try_at_home.py`);
		const snippets = files.filter((f) => {
			try {
				return readFileSync(f, 'utf8').length > 0;
			} catch {
				return false;
			}
		});
		expect(snippets.length).toBeGreaterThanOrEqual(4);
		for (const f of snippets) {
			const code = readFileSync(f, 'utf8');
			expect(
				highlightPython(code)
					.map((t) => t.text)
					.join('')
			).toBe(code);
		}
	});
});
