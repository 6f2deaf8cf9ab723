/**
 * Keep a widget's state in the page's query string, so that a reader can share or reload exactly
 * what they see. Parsing never throws: a bad value is replaced by a fallback and a sentence the
 * widget shows inline ("“banana” is not a memory mode; showing full fine-tuning.").
 *
 * Prerendered pages have no query at build time, so read `window.location.search` in the browser
 * (in `onMount`), then parse; write back with `writeParams` when the reader changes a control.
 *
 *   onMount ── read location.search ──▶ parseChoice / parseNumber ──▶ $state (+ message)
 *   control change ──▶ $state ──▶ writeParams ──(at most 2/s, last wins)──▶ replaceState
 *                                   (no navigation, no history entry)
 */
import { replaceState } from '$app/navigation';
import { page } from '$app/state';

/** A parsed value, and a sentence for the reader when the raw value could not be used as given. */
export interface Parsed<T> {
	value: T;
	message?: string;
}

/**
 * Read one of a fixed set of strings.
 * @param raw the query value, `null` when the parameter is absent (no message then)
 * @param allowed the accepted values
 * @param fallback used when `raw` is absent or not allowed
 * @param label what the value is, for the message ("memory mode")
 * @param describe optional words for a value in the message (default: the value itself)
 */
export function parseChoice<T extends string>(
	raw: string | null,
	allowed: readonly T[],
	fallback: T,
	label: string,
	describe: (value: T) => string = (v) => v
): Parsed<T> {
	if (raw === null) return { value: fallback };
	const value = raw.trim();
	if ((allowed as readonly string[]).includes(value)) return { value: value as T };
	const shown = value === '' ? 'An empty value' : `“${clip(value)}”`;
	return {
		value: fallback,
		message: `${shown} is not a ${label}; showing ${describe(fallback)}.`
	};
}

/**
 * Read a number within `[min, max]`; out-of-range values are clamped, integers rounded when
 * `integer` is set, and anything that is not a finite number is replaced by `fallback`.
 * @param raw the query value, `null` when the parameter is absent (no message then)
 */
export function parseNumber(
	raw: string | null,
	opts: { min: number; max: number; fallback: number; integer?: boolean; label: string }
): Parsed<number> {
	const { min, max, fallback, integer = false, label } = opts;
	if (raw === null) return { value: fallback };
	const n = raw.trim() === '' ? NaN : Number(raw);
	if (!Number.isFinite(n)) {
		return {
			value: fallback,
			message: `“${clip(raw)}” is not a number for ${label}; using ${fallback}.`
		};
	}
	let value = integer ? Math.round(n) : n;
	let why = '';
	if (value < min) {
		value = min;
		why = `below the smallest ${label}, ${min}`;
	} else if (value > max) {
		value = max;
		why = `above the largest ${label}, ${max}`;
	} else if (value !== n) {
		why = `not a whole number`;
	}
	if (!why) return { value };
	return { value, message: `${clip(raw)} is ${why}; using ${value}.` };
}

/**
 * The query string after applying `updates` to `search`: a `null` value, or one equal to its
 * entry in `defaults`, removes the parameter; others are set; unrelated parameters are kept.
 * @returns the query with its leading `?`, or `''` when empty
 */
export function applyParams(
	search: string,
	updates: Record<string, string | number | null>,
	defaults: Record<string, string | number> = {}
): string {
	const params = new URLSearchParams(search);
	for (const [key, value] of Object.entries(updates)) {
		if (value === null || (key in defaults && String(defaults[key]) === String(value))) {
			params.delete(key);
		} else {
			params.set(key, String(value));
		}
	}
	const query = params.toString();
	return query ? `?${query}` : '';
}

/**
 * URL writes go at most one per WRITE_GAP_MS (two a second) on average, with a burst of up to
 * WRITE_BURST at once, so that a few clicks in a row are all written at once but a drag is
 * not: Safari throws after 100 history calls in 30 seconds, and a slider dragged across its
 * range asks for one per tick (at most 3 + 60 calls in 30 s here).
 */
export const WRITE_GAP_MS = 500;
export const WRITE_BURST = 3;

/** Updates not written yet, merged (last value wins), and the page they belong to. */
let pending: {
	updates: Record<string, string | number | null>;
	defaults: Record<string, string | number>;
	path: string;
} | null = null;
/** Writes allowed now (a token bucket: one back every WRITE_GAP_MS, at most WRITE_BURST). */
let tokens = WRITE_BURST;
let tokensAt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let listening = false;

/**
 * Write `updates` into the current URL's query in place (SvelteKit `replaceState`: no navigation,
 * no new history entry). Browser only; call it from event handlers, not during render.
 *
 * Writes are throttled: after a quiet spell up to WRITE_BURST go at once, later ones are
 * merged (the last value of each parameter wins) and written as the rate allows (one per
 * WRITE_GAP_MS), or at once on `pagehide` or `flushParams()`.
 *
 *   change ─▶ pending (merged) ──(a write allowed)──▶ replaceState
 *                  └──────────────── pagehide / flushParams() ──────────┘
 * @param updates values to set; `null` removes a parameter
 * @param defaults values that need not appear in the URL; a parameter equal to its default is removed
 */
export function writeParams(
	updates: Record<string, string | number | null>,
	defaults: Record<string, string | number> = {}
): void {
	listen();
	const path = new URL(window.location.href).pathname;
	if (pending && pending.path !== path) pending = null;
	pending = {
		updates: { ...pending?.updates, ...updates },
		defaults: { ...pending?.defaults, ...defaults },
		path
	};
	if (timer !== undefined) return;
	const wait = (1 - refill()) * WRITE_GAP_MS;
	if (wait <= 0) flushParams();
	else timer = setTimeout(flushParams, wait);
}

/** The writes allowed now. */
function refill(): number {
	const now = Date.now();
	tokens = Math.min(WRITE_BURST, tokens + (now - tokensAt) / WRITE_GAP_MS);
	tokensAt = now;
	return tokens;
}

/** Write what `writeParams` holds back, now; nothing when nothing waits. */
export function flushParams(): void {
	clearTimeout(timer);
	timer = undefined;
	const next = pending;
	pending = null;
	if (!next) return;
	const url = new URL(window.location.href);
	// The reader left the page these settings belong to: they are not this page's to write.
	if (url.pathname !== next.path) return;
	const search = applyParams(url.search, next.updates, next.defaults);
	if (search === url.search) return;
	url.search = search;
	refill();
	tokens -= 1;
	// The current page's own URL, base path included; only its query changes, so no resolve().
	// eslint-disable-next-line svelte/no-navigation-without-resolve
	replaceState(url, page.state);
}

/** Flush when the page goes away, so the URL a reload or Back finds has the last settings. */
function listen() {
	if (listening || typeof window.addEventListener !== 'function') return;
	listening = true;
	window.addEventListener('pagehide', flushParams);
}

/** Keep echoed input short enough to read in a message. */
function clip(s: string): string {
	return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
