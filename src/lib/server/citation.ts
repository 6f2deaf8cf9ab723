/**
 * How to cite the course, made from `CITATION.cff` at the repository root (Citation File Format
 * 1.2.0), so the licence page's BibTeX and plain citation can never drift from the file that
 * GitHub and Zenodo read. Server-only: the YAML parser stays out of the pages' JavaScript.
 */
import { parse } from 'yaml';

/** What the course's citation says. */
export interface Citation {
	title: string;
	message: string;
	/** Each author's display name: an entity's `name`, or given and family names. */
	authors: string[];
	version: string;
	/** `YYYY-MM-DD` */
	dateReleased: string;
	/** An SPDX identifier. */
	license: string;
	url?: string;
}

/** Read a `CITATION.cff`; throws, naming the field, if one the course relies on is missing. */
export function parseCitation(text: string): Citation {
	const cff = parse(text) as Record<string, unknown>;
	const str = (key: string): string => {
		const v = cff[key];
		if (typeof v !== 'string' || !v.trim()) throw new Error(`CITATION.cff: "${key}" is missing`);
		return v.trim();
	};
	if (cff['cff-version'] !== '1.2.0') throw new Error('CITATION.cff: cff-version must be 1.2.0');
	const rawAuthors = cff.authors;
	if (!Array.isArray(rawAuthors) || rawAuthors.length === 0) {
		throw new Error('CITATION.cff: "authors" must list at least one author');
	}
	const authors = rawAuthors.map((a: Record<string, unknown>, i) => {
		const name =
			typeof a.name === 'string'
				? a.name
				: [a['given-names'], a['family-names']].filter((p) => typeof p === 'string').join(' ');
		if (!name.trim()) throw new Error(`CITATION.cff: author ${i + 1} has no name`);
		return name.trim();
	});
	const version = String(cff.version ?? '').trim();
	if (!version) throw new Error('CITATION.cff: "version" is missing');
	const dateReleased = String(cff['date-released'] ?? '');
	if (!/^\d{4}-\d{2}-\d{2}$/.test(dateReleased)) {
		throw new Error('CITATION.cff: "date-released" must be YYYY-MM-DD, quoted');
	}
	return {
		title: str('title'),
		message: str('message'),
		authors,
		version,
		dateReleased,
		license: str('license'),
		url: typeof cff.url === 'string' ? cff.url : undefined
	};
}

/** Escape the characters BibTeX treats specially inside a braced field. */
function tex(s: string): string {
	return s.replace(/([&%$#_])/g, '\\$1');
}

/**
 * The citation as a BibTeX `@software` entry (biblatex's type; plain BibTeX reads it as `@misc`).
 * Entity authors are wrapped in a second pair of braces so BibTeX does not split them into a
 * given and a family name.
 */
export function bibtex(c: Citation): string {
	const year = c.dateReleased.slice(0, 4);
	const fields: [string, string][] = [
		['author', c.authors.map((a) => `{${tex(a)}}`).join(' and ')],
		['title', `{${tex(c.title)}}`],
		['year', year],
		['version', c.version],
		['license', c.license],
		...(c.url ? ([['url', c.url]] as [string, string][]) : [])
	];
	const body = fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n');
	return `@software{whypeft${year},\n${body}\n}`;
}

/** The citation as one line of text, for a reference list. */
export function plainCitation(c: Citation): string {
	const year = c.dateReleased.slice(0, 4);
	return `${c.authors.join(', ')} (${year}). ${c.title} (version ${c.version}).${c.url ? ` ${c.url}` : ''}`;
}
