/**
 * The pure parts of presenter mode (see presenter.svelte.ts): reading `?present=`, which keys
 * step, which figure a step goes to, and which key targets are off limits. No DOM, no Svelte.
 */

/** sessionStorage key; the value is '1' while presenter mode is on. */
export const PRESENT_KEY = 'why-peft:present';
/** The query parameter that turns presenter mode on (`1`) or off (`0`). */
export const PRESENT_PARAM = 'present';

/** The keys that step, as the hint shows them. */
export const STEP_KEYS = { next: [']', 'N'], previous: ['[', 'P'] } as const;

/**
 * Read the `present` query value: on for `1`, `true`, `on`, `yes` or a bare `?present`; off for
 * `0`, `false`, `off`, `no`; null (leave the mode as it is) when absent or anything else.
 */
export function parsePresent(raw: string | null): boolean | null {
	if (raw === null) return null;
	const v = raw.trim().toLowerCase();
	if (['', '1', 'true', 'on', 'yes'].includes(v)) return true;
	if (['0', 'false', 'off', 'no'].includes(v)) return false;
	return null;
}

/** What a page's query (`location.search`) says about presenter mode; null when nothing. */
export function presentIn(search: string): boolean | null {
	return parsePresent(new URLSearchParams(search).get(PRESENT_PARAM));
}

/**
 * The address without its `present` parameter, so a reload does not undo the reader's switch;
 * null when it has none.
 */
export function withoutPresent(href: string): URL | null {
	const url = new URL(href);
	if (!url.searchParams.has(PRESENT_PARAM)) return null;
	url.searchParams.delete(PRESENT_PARAM);
	return url;
}

/** Which way a key steps: 1 (next figure), -1 (previous) or 0 (not a stepping key). */
export function stepKey(e: {
	key: string;
	ctrlKey?: boolean;
	metaKey?: boolean;
	altKey?: boolean;
}): 1 | -1 | 0 {
	if (e.ctrlKey || e.metaKey || e.altKey) return 0;
	if (e.key === ']' || e.key === 'n' || e.key === 'N') return 1;
	if (e.key === '[' || e.key === 'p' || e.key === 'P') return -1;
	return 0;
}

/**
 * The figure to step to, or null when there is none that way.
 * @param tops each figure's top edge relative to the top of the viewport, in px, in page order
 * @param dir 1 for the next figure, -1 for the previous
 * @param current the figure holding focus, if any: then the step is from it, whatever is scrolled
 * @param slack px within which a figure counts as already at the top (scrolling rounds)
 */
export function stepTarget(
	tops: readonly number[],
	dir: 1 | -1,
	current = -1,
	slack = 8
): number | null {
	if (current >= 0 && current < tops.length) {
		const i = current + dir;
		return i >= 0 && i < tops.length ? i : null;
	}
	if (dir === 1) {
		const i = tops.findIndex((t) => t > slack);
		return i === -1 ? null : i;
	}
	const i = tops.findLastIndex((t) => t < -slack);
	return i === -1 ? null : i;
}

/** Where a key press is typing or working a control, so stepping must leave it alone. */
const TYPING =
	'input, select, textarea, [contenteditable]:not([contenteditable="false"]), [role="slider"], [role="spinbutton"], [role="textbox"], [role="combobox"], [role="radiogroup"], [role="listbox"], .figure-controls';

/** Whether a key event's target is a place where the key means something else. */
export function isTypingTarget(target: EventTarget | null): boolean {
	const el = target as { closest?: (s: string) => unknown } | null;
	return typeof el?.closest === 'function' && el.closest(TYPING) !== null;
}
