/**
 * Presenter mode, for a projector: larger lesson and chart text, wider figures, no site chrome,
 * stronger contrast (all in app.css under `:root[data-present]`), and figure-by-figure stepping
 * with the keyboard. `?present=1` in any page's URL turns it on and `?present=0` off; the choice
 * lasts for the browser session (sessionStorage), so it survives moving between lessons.
 *
 *   ?present=1|0 ──▶ parsePresent ──┐
 *   sessionStorage ─────────────────┼─▶ presenter.on ──▶ <html data-present> ──▶ app.css
 *   toggle button ──────────────────┘
 *   keydown ] [ N P ──▶ stepKey ──▶ stepTarget(figure tops) ──▶ scroll + focus the figure title
 */
import { replaceState } from '$app/navigation';
import { page } from '$app/state';
import { setChartFont } from '$lib/charts/chartFont.svelte';
import { readStored, writeStored } from './storage';
import {
	isTypingTarget,
	PRESENT_KEY,
	presentIn,
	stepKey,
	stepTarget,
	withoutPresent
} from './presenter';

export { STEP_KEYS } from './presenter';

/** The page's figures in order, not counting a figure inside another. */
function figures(): HTMLElement[] {
	return [...document.querySelectorAll<HTMLElement>('main figure')].filter(
		(f) => !f.parentElement?.closest('figure')
	);
}

/** Scroll the next or previous figure to the top and move focus to its title. */
function step(dir: 1 | -1): boolean {
	const figs = figures();
	const active = document.activeElement;
	const current = active ? figs.findIndex((f) => f.contains(active)) : -1;
	const i = stepTarget(
		figs.map((f) => f.getBoundingClientRect().top),
		dir,
		current
	);
	if (i === null) return false;
	const fig = figs[i];
	// Figure.svelte's frames have a title; a figure without one takes focus itself.
	const title = fig.querySelector<HTMLElement>(':scope > .fig-title') ?? fig;
	if (!title.hasAttribute('tabindex')) title.setAttribute('tabindex', '-1');
	const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
	fig.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
	title.focus({ preventScroll: true });
	return true;
}

/** The site's presenter mode: one instance, connected by the root layout. */
export class Presenter {
	on = $state(false);

	/** Restore the session's choice and listen for the stepping keys; returns the cleanup. */
	connect(): () => void {
		this.#apply(readStored(PRESENT_KEY, 'session') === '1');
		const onKey = (e: KeyboardEvent) => {
			if (!this.on || e.defaultPrevented || isTypingTarget(e.target)) return;
			const dir = stepKey(e);
			if (dir !== 0 && step(dir)) e.preventDefault();
		};
		addEventListener('keydown', onKey);
		return () => {
			removeEventListener('keydown', onKey);
			document.documentElement.removeAttribute('data-present');
		};
	}

	/** Follow `?present=` in a page's query, if it says anything. */
	fromQuery(search: string): void {
		const v = presentIn(search);
		if (v !== null) this.#apply(v);
	}

	/** The button: switch, and drop a `present` query that would switch it back on reload. */
	toggle(): void {
		this.#apply(!this.on);
		const url = withoutPresent(location.href);
		// The current page's own URL with one parameter removed, so no resolve().
		// eslint-disable-next-line svelte/no-navigation-without-resolve
		if (url) replaceState(url, page.state);
	}

	#apply(on: boolean): void {
		this.on = on;
		setChartFont(on);
		// Blocked storage: the mode lasts this page only.
		writeStored(PRESENT_KEY, on ? '1' : null, 'session');
		document.documentElement.toggleAttribute('data-present', on);
	}
}

/** The one instance the site uses. */
export const presenter = new Presenter();
