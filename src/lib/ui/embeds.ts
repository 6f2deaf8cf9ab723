/**
 * Which figures can be embedded on another site, and where each lives in the course. A figure
 * frame (`Figure.svelte`) shows its Embed link only for an id listed here; the embed route
 * (`src/routes/embed/[figure]/`) holds what to render for each id and prerenders one page per id.
 * Kept apart from that registry so a lesson page pays for a list of names, not for the widgets.
 *
 * Left out on purpose: static drawings that need the lesson's prose around them (lesson 3's
 * "where each method sits" diagram).
 */

/** Where a figure lives: a lesson (by slug) or the lab page. */
export type EmbedHome = { lesson: string } | 'lab';

/** Every embeddable figure, by its anchor id, with the page it comes from. */
export const EMBEDS = {
	'fig-growth': { lesson: 'why-peft' },
	'fig-landscape': { lesson: 'scaling-laws' },
	'fig-budget': { lesson: 'scaling-laws' },
	'fig-ladder': { lesson: 'scaling-laws' },
	calculator: { lesson: 'what-fine-tuning-costs' },
	'by-size': { lesson: 'what-fine-tuning-costs' },
	measured: { lesson: 'what-fine-tuning-costs' },
	papers: { lesson: 'what-fine-tuning-costs' },
	'fig-copy': { lesson: 'low-rank-updates' },
	'fig-spectrum': { lesson: 'low-rank-updates' },
	'fig-lora': { lesson: 'low-rank-updates' },
	'fig-rank': { lesson: 'low-rank-updates' },
	'fig-agree': { lesson: 'low-rank-updates' },
	'fig-shift-lab': { lesson: 'when-peft-works' },
	'fig-shift-spectrum': { lesson: 'when-peft-works' },
	'fig-forgetting': { lesson: 'when-peft-works' },
	'fig-tradeoff': { lesson: 'when-peft-works' },
	'fig-lm-drift': { lesson: 'when-peft-works' },
	'fig-intrinsic': { lesson: 'when-peft-works' },
	'fig-new-features': { lesson: 'when-peft-fails' },
	'fig-large-drift': { lesson: 'when-peft-fails' },
	'fig-lm-far': { lesson: 'when-peft-fails' },
	'finetune-demo': 'lab',
	'language-lab': 'lab'
} as const satisfies Record<string, EmbedHome>;

/** The id of an embeddable figure. */
export type EmbedId = keyof typeof EMBEDS;

/** Whether the figure with this anchor id has an embed page. */
export function isEmbeddable(id: string): id is EmbedId {
	return Object.hasOwn(EMBEDS, id);
}

/** Context key under which the embed page says its figure is shown alone (no Embed link then). */
export const EMBEDDED = 'why-peft:embedded';

/** The smallest and largest iframe height the snippet suggests, in CSS pixels. */
const HEIGHT = { min: 360, max: 1600 } as const;

/**
 * The `<iframe>` markup a reader copies to put a figure on their own page.
 * @param src absolute URL of the embed page, query included
 * @param title the figure's title, for the frame's accessible name
 * @param height the figure's rendered height in CSS pixels; the frame adds room for the
 *   credit line and is kept within [360, 1600]
 */
export function iframeSnippet(src: string, title: string, height: number): string {
	const h = Math.round(
		Math.min(HEIGHT.max, Math.max(HEIGHT.min, (Number.isFinite(height) ? height : 0) + 80)) / 10
	);
	const attr = (s: string) =>
		s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return (
		`<iframe src="${attr(src)}" title="${attr(`${title} · Why PEFT`)}" ` +
		`width="960" height="${h * 10}" style="max-width: 100%; border: 0" loading="lazy"></iframe>`
	);
}
