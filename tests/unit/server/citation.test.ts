/**
 * CITATION.cff is a valid Citation File Format 1.2.0 file as far as the format's required and
 * known keys go, agrees with package.json, and turns into the BibTeX and plain citation the
 * licence page shows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bibtex, parseCitation, plainCitation } from '$lib/server/citation';

const text = readFileSync('CITATION.cff', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Every top-level key CFF 1.2.0 defines (schema.json of citation-file-format 1.2.0). */
const CFF_KEYS = new Set([
	'abstract',
	'authors',
	'cff-version',
	'commit',
	'contact',
	'date-released',
	'doi',
	'identifiers',
	'keywords',
	'license',
	'license-url',
	'message',
	'preferred-citation',
	'references',
	'repository',
	'repository-artifact',
	'repository-code',
	'title',
	'type',
	'url',
	'version'
]);

describe('CITATION.cff', () => {
	const cff = parse(text) as Record<string, unknown>;

	it('has the keys CFF 1.2.0 requires, and only keys it defines', () => {
		for (const key of ['cff-version', 'message', 'title', 'authors'])
			expect(cff).toHaveProperty(key);
		expect(cff['cff-version']).toBe('1.2.0');
		for (const key of Object.keys(cff)) expect(CFF_KEYS, key).toContain(key);
		expect(['software', 'dataset']).toContain(cff.type);
	});

	it('names each author as a person or an entity', () => {
		const authors = cff.authors as Record<string, unknown>[];
		expect(authors.length).toBeGreaterThan(0);
		for (const a of authors) {
			const person = typeof a['family-names'] === 'string' && typeof a['given-names'] === 'string';
			const entity = typeof a.name === 'string' && a.name.length > 0;
			expect(person || entity).toBe(true);
		}
	});

	it('gives a real date, the package version and licence (SPDX)', () => {
		const c = parseCitation(text);
		expect(Number.isNaN(Date.parse(c.dateReleased))).toBe(false);
		expect(c.version).toBe(pkg.version);
		expect(c.license).toBe(pkg.license);
	});

	it('becomes a BibTeX entry with every field, entity authors kept whole', () => {
		const b = bibtex(parseCitation(text));
		expect(b).toMatch(/^@software\{whypeft\d{4},\n/);
		expect(b).toContain('  author = {{The Why PEFT authors}},');
		expect(b).toContain(
			'  title = {{Why PEFT: an interactive course on parameter-efficient fine-tuning}},'
		);
		expect(b).toContain(`  version = {${pkg.version}},`);
		expect(b.trim().endsWith('}')).toBe(true);
		const opened = (b.match(/\{/g) ?? []).length;
		expect((b.match(/\}/g) ?? []).length).toBe(opened);
	});

	it('escapes what BibTeX would read as commands, and reads given and family names', () => {
		const c = parseCitation(
			[
				'cff-version: 1.2.0',
				'message: Cite it',
				"title: 'Ranks & 50% of #things_here'",
				'authors:',
				'  - given-names: Ada',
				'    family-names: Lovelace',
				'  - name: Team',
				'version: 2.0.0',
				"date-released: '2025-01-02'",
				'license: MIT',
				'url: https://example.org/x'
			].join('\n')
		);
		expect(c.authors).toEqual(['Ada Lovelace', 'Team']);
		const b = bibtex(c);
		expect(b).toContain('title = {{Ranks \\& 50\\% of \\#things\\_here}}');
		expect(b).toContain('author = {{Ada Lovelace} and {Team}}');
		expect(b).toContain('url = {https://example.org/x}');
		expect(plainCitation(c)).toBe(
			'Ada Lovelace, Team (2025). Ranks & 50% of #things_here (version 2.0.0). https://example.org/x'
		);
	});

	it('refuses a file without what the page needs, naming the field', () => {
		expect(() => parseCitation('cff-version: 1.1.0\n')).toThrow(/cff-version/);
		const noDate = text.replace(/^date-released:.*$/m, '');
		expect(() => parseCitation(noDate)).toThrow(/date-released/);
		const noAuthors = text.replace(/^authors:\n( {2}.*\n)+/m, '');
		expect(() => parseCitation(noAuthors)).toThrow(/authors/);
	});
});
