/**
 * The shape of a lesson as the course shell sees it. Lessons live in `lessons/NN-slug/index.svx`;
 * the folder's number sets the order and the rest of its name is the URL slug. Their frontmatter
 * is validated at build time (see `$lib/server/lessons`), so the shell can trust these fields.
 */

/** One entry of a lesson's numbered reference list. */
export interface Reference {
	/** Key used in the text as `[@id]`. */
	id: string;
	authors: string;
	title: string;
	year: number;
	/** Where it appeared ("NeurIPS", "TMLR", "arXiv preprint"). */
	venue?: string;
	/** arXiv identifier without prefix, e.g. `2106.09685`. */
	arxiv?: string;
	/** A stable URL for sources that are not on arXiv (datasheets, model cards). */
	url?: string;
}

/** A heading in the lesson's table of contents. */
export interface TocEntry {
	id: string;
	text: string;
	depth: number;
}

/** What the course map and navigation need to know about a lesson. */
export interface LessonSummary {
	/** 1-based position in the course. */
	number: number;
	slug: string;
	title: string;
	summary: string;
	/** The one insight of the course this lesson teaches. */
	insight: string;
	/** Estimated reading time in minutes, computed from the prose at build time. */
	minutes: number;
}

/** A lesson's full metadata: summary plus outline and references. */
export interface LessonMeta extends LessonSummary {
	toc: TocEntry[];
	references: Reference[];
	/** Keys of the references cited in the prose (each has a `#cite-<id>` anchor). */
	cited: string[];
}

/** The URL of a reference: its arXiv abstract page, or its own URL. */
export function referenceHref(ref: Reference): string | undefined {
	return ref.arxiv ? `https://arxiv.org/abs/${ref.arxiv}` : ref.url;
}
