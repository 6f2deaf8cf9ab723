/**
 * A figure's URL parameters as one table: each entry names its parameter, how to read it (a
 * choice or a clamped number, with the sentence `urlState` writes when a value cannot be used),
 * and its default. Entries may depend on the entries before them (the matrices offered depend
 * on the task chosen; the steps' default on the setup), so the table is read in order.
 *
 *   location.search ──readTable──▶ { values, messages }      (onMount)
 *   a control changes ──settleTable──▶ values still valid     (a matrix the new task lacks goes
 *                                                             to its default; a number follows
 *                                                             its default if it was on it)
 *   values ──tableUpdates──▶ writeParams(updates, defaults)   (defaults are left out of the URL)
 *
 * Pure: no DOM, no Svelte. `LiveRun` (src/lib/trainer/liveRun.svelte.ts) holds one for every
 * live figure; a static figure can use it alone.
 */
import { parseChoice, parseNumber, type Parsed } from './urlState';

/** A value, or a function of the values read before it. */
export type Dep<T, V> = T | ((values: V) => T);

/** One URL parameter of a table whose values are `V`. */
export interface Param<T, V> {
	/** The parameter's name in the URL (never rename: shared links use it). */
	name: string;
	/** Read `raw` (null when absent) given the values before it. */
	read(raw: string | null, values: V): Parsed<T>;
	/** The default given the other values: left out of the URL, and used when `raw` is bad. */
	fallback(values: V): T;
	/** The value still valid after other values changed (`was` is its default before the change). */
	settle(value: T, values: V, was: T): T;
}

/** A table: one parameter per value of `V`, in reading order. */
export type ParamTable<V> = { [K in keyof V]: Param<V[K], V> };

const get = <T, V>(d: Dep<T, V>, v: V): T =>
	typeof d === 'function' ? (d as (values: V) => T)(v) : d;

/**
 * One of a fixed set of strings.
 * @param label what the value is, for the message ("backend")
 * @param describe words for a value in the message (default: the value itself)
 */
export function choice<T extends string, V>(
	name: string,
	allowed: Dep<readonly T[], V>,
	fallback: Dep<T, V>,
	label: Dep<string, V>,
	describe?: (value: T, values: V) => string
): Param<T, V> {
	return {
		name,
		read: (raw, v) =>
			parseChoice(
				raw,
				get(allowed, v),
				get(fallback, v),
				get(label, v),
				describe && ((x: T) => describe(x, v))
			),
		fallback: (v) => get(fallback, v),
		settle: (value, v) => (get(allowed, v).includes(value) ? value : get(fallback, v))
	};
}

/**
 * A number clamped to [min, max] (rounded when `integer`), with `snap` applied after (say, to
 * the nearest value a slider offers). A number whose default depends on other values follows
 * that default when those change, unless the reader moved it off its default.
 */
export function number<V>(
	name: string,
	opts: {
		min: Dep<number, V>;
		max: Dep<number, V>;
		fallback: Dep<number, V>;
		integer?: boolean;
		label: string;
		snap?: (value: number, values: V) => number;
	}
): Param<number, V> {
	const snap = (x: number, v: V) => (opts.snap ? opts.snap(x, v) : x);
	return {
		name,
		read: (raw, v) => {
			const p = parseNumber(raw, {
				min: get(opts.min, v),
				max: get(opts.max, v),
				fallback: get(opts.fallback, v),
				integer: opts.integer,
				label: opts.label
			});
			return { ...p, value: snap(p.value, v) };
		},
		fallback: (v) => get(opts.fallback, v),
		settle: (value, v, was) => {
			const x = value === was ? get(opts.fallback, v) : value;
			return snap(Math.min(get(opts.max, v), Math.max(get(opts.min, v), x)), v);
		}
	};
}

/** Read every parameter of `table` from a query string, in order. */
export function readTable<V>(
	table: ParamTable<V>,
	search: string
): { values: V; messages: string[] } {
	const q = new URLSearchParams(search);
	const values = {} as V;
	const messages: string[] = [];
	for (const key of Object.keys(table) as (keyof V)[]) {
		const p = table[key].read(q.get(table[key].name), values);
		values[key] = p.value;
		if (p.message) messages.push(p.message);
	}
	return { values, messages };
}

/** Every parameter's default given `values`. */
export function tableDefaults<V>(table: ParamTable<V>, values: V): V {
	const out = {} as V;
	for (const key of Object.keys(table) as (keyof V)[]) out[key] = table[key].fallback(values);
	return out;
}

/**
 * Make `values` valid again after some changed, in place, in order; `before` are the defaults
 * as they were before the change (from `tableDefaults`).
 */
export function settleTable<V>(table: ParamTable<V>, values: V, before: V): void {
	for (const key of Object.keys(table) as (keyof V)[])
		values[key] = table[key].settle(values[key], values, before[key]);
}

/** What `writeParams` takes: every value and every default, by URL name. */
export function tableUpdates<V>(
	table: ParamTable<V>,
	values: V
): { updates: Record<string, string | number>; defaults: Record<string, string | number> } {
	const updates: Record<string, string | number> = {};
	const defaults: Record<string, string | number> = {};
	const d = tableDefaults(table, values);
	for (const key of Object.keys(table) as (keyof V)[]) {
		const name = table[key].name;
		updates[name] = values[key] as string | number;
		defaults[name] = d[key] as string | number;
	}
	return { updates, defaults };
}
