/**
 * The lesson index, built at prerender time from each `lessons/NN-slug/index.svx` module's
 * exported `metadata` (frontmatter plus the outline and reading time added by
 * `$lib/markdown/remarkLesson.js`). Server-only, so the lesson bodies never enter the bundle of a
 * page that merely lists them. A malformed frontmatter fails the build with the file named.
 */
import type { LessonMeta, LessonSummary, Reference, TocEntry } from '$lib/lessons';

const modules = import.meta.glob<Record<string, unknown>>('/lessons/*/index.svx', {
	eager: true,
	import: 'metadata'
});

const FOLDER = /^\/lessons\/(\d{2})-([a-z0-9-]+)\/index\.svx$/;

function requireString(meta: Record<string, unknown>, key: string, path: string): string {
	const v = meta[key];
	if (typeof v !== 'string' || v.trim() === '') {
		throw new Error(`${path}: frontmatter needs a non-empty "${key}"`);
	}
	return v.trim();
}

function parseReferences(raw: unknown, path: string): Reference[] {
	if (raw === undefined) return [];
	if (!Array.isArray(raw)) throw new Error(`${path}: "references" must be a list`);
	return raw.map((r, i) => {
		const ref = r as Record<string, unknown>;
		if (typeof ref.id !== 'string' || typeof ref.title !== 'string') {
			throw new Error(`${path}: reference ${i + 1} needs an id and a title`);
		}
		if (typeof ref.authors !== 'string' || typeof ref.year !== 'number') {
			throw new Error(`${path}: reference "${ref.id}" needs authors and a year`);
		}
		if (ref.arxiv === undefined && ref.url === undefined) {
			throw new Error(`${path}: reference "${ref.id}" needs an arxiv id or a url`);
		}
		return {
			id: ref.id,
			authors: ref.authors,
			title: ref.title,
			year: ref.year,
			venue: typeof ref.venue === 'string' ? ref.venue : undefined,
			arxiv: ref.arxiv === undefined ? undefined : String(ref.arxiv),
			url: typeof ref.url === 'string' ? ref.url : undefined
		};
	});
}

function toMeta(path: string, meta: Record<string, unknown>): LessonMeta {
	const m = FOLDER.exec(path);
	if (!m) throw new Error(`${path}: lesson folders are named NN-slug`);
	return {
		number: Number(m[1]),
		slug: m[2],
		title: requireString(meta, 'title', path),
		summary: requireString(meta, 'summary', path),
		insight: requireString(meta, 'insight', path),
		minutes: Number(meta.minutes) || 1,
		toc: (meta.toc as TocEntry[] | undefined) ?? [],
		references: parseReferences(meta.references, path),
		cited: Array.isArray(meta.cited) ? meta.cited.map(String) : []
	};
}

/** Every lesson, in course order. */
export const lessons: LessonMeta[] = Object.entries(modules)
	.map(([path, meta]) => toMeta(path, meta ?? {}))
	.sort((a, b) => a.number - b.number);

/** The course map: what each page's shell needs, without outlines or references. */
export function summaries(): LessonSummary[] {
	return lessons.map(({ number, slug, title, summary, insight, minutes }) => ({
		number,
		slug,
		title,
		summary,
		insight,
		minutes
	}));
}
