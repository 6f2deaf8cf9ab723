/**
 * The facts the licence page shows, gathered at build time from their sources: the citation from
 * CITATION.cff, each dataset's source, licence and attribution from the data manifest, and each
 * library's version and licence from its own package.json, so the page cannot drift from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import cffText from '../../../CITATION.cff?raw';
import pkg from '../../../package.json';
import manifest from '../../../static/data/manifest.json';
import { bibtex, parseCitation, plainCitation } from '$lib/server/citation';

/** One shipped dataset, or a group of files with the same source and licence. */
export interface DatasetRow {
	title: string;
	files: string[];
	source: string;
	via: string;
	licence: string;
	licenceUrl: string;
	attribution: string;
	changes: string;
}

interface ManifestEntry {
	file: string;
	title: string;
	source: string;
	via: string;
	licence: string;
	licenceUrl: string;
	attribution?: string;
}

const entries = manifest as unknown as Record<string, ManifestEntry>;

const CHANGES_TEXT =
	'Normalised to 96 ASCII characters, cut to fit a size cap, and split into training and held-out blocks, as data/README.md lists.';

/** Digits first (most figures train on them), then the English, then the code. */
const ORDER = ['digits', 'sotu-', 'moby-dick', 'd3-code'];
const rank = (key: string) => {
	const i = ORDER.findIndex((o) => key.startsWith(o));
	return i < 0 ? ORDER.length : i;
};

/** The shipped datasets, with the six State of the Union files as one row. */
function datasets(): DatasetRow[] {
	const rows: DatasetRow[] = [];
	const keys = Object.keys(entries).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
	const sotu = keys.filter((k) => k.startsWith('sotu-'));
	for (const key of keys) {
		const e = entries[key];
		if (key.startsWith('sotu-') && key !== sotu[0]) continue;
		const group = key.startsWith('sotu-') ? sotu.map((k) => entries[k]) : [e];
		const years = group.map((g) => g.title.match(/(\d{4})–(\d{4})/)?.slice(1) ?? []);
		rows.push({
			title:
				group.length > 1
					? `State of the Union addresses, ${years[0][0]}–${years[years.length - 1][1]}`
					: e.title,
			files: group.map((g) => g.file),
			source: e.source,
			via: e.via,
			licence: e.licence,
			licenceUrl: e.licenceUrl,
			// The digits' source line is their attribution (CC BY asks for the creators and the source).
			attribution: e.attribution ?? e.source,
			changes:
				key === 'digits'
					? 'Format only (CSV to binary); every value unchanged.'
					: key === 'd3-code'
						? `${CHANGES_TEXT} The licence and copyright lines ship beside the code.`
						: CHANGES_TEXT
		});
	}
	return rows;
}

/** One library whose code the pages ship, with what its own package.json says. */
export interface LibraryRow {
	name: string;
	version: string;
	licence: string;
}

function library(name: string): LibraryRow {
	const p = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'));
	if (typeof p.license !== 'string') throw new Error(`${name}: package.json names no licence`);
	return { name, version: p.version, licence: p.license };
}

export const load = () => {
	const citation = parseCitation(cffText);
	if (citation.version !== pkg.version) {
		throw new Error(
			`CITATION.cff says version ${citation.version}, package.json ${pkg.version}: keep them equal`
		);
	}
	const runtime = ['svelte', '@sveltejs/kit', 'katex', ...Object.keys(pkg.dependencies)];
	return {
		codeLicence: pkg.license,
		citation,
		bibtex: bibtex(citation),
		plain: plainCitation(citation),
		datasets: datasets(),
		libraries: runtime.map(library)
	};
};
