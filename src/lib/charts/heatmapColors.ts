/**
 * Colour ramps for dense heatmaps, as plain functions from a value to RGBA bytes, so a chart can
 * fill an ImageData in one pass with no per-cell string parsing. Colours come in as parsed CSS
 * colours (the page's theme variables resolved by the browser), so both themes work.
 */

/** An RGB colour, channels 0–255. */
export type Rgb = readonly [number, number, number];

/** Parse `rgb(r, g, b)`, `rgba(…)` or `#rrggbb` as the browser reports computed colours; null if unreadable. */
export function parseRgb(css: string): Rgb | null {
	const hex = /^#([0-9a-f]{6})$/i.exec(css.trim());
	if (hex) {
		const n = parseInt(hex[1], 16);
		return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
	}
	const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(css);
	return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
	return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** How a heatmap maps values to colours. */
export interface Ramp {
	/** `diverging`: negative → `low`, zero → `mid`, positive → `high`, symmetric about 0. `sequential`: `domain[0]` → `mid`, `domain[1]` → `high`. */
	kind: 'diverging' | 'sequential';
	low: Rgb;
	mid: Rgb;
	high: Rgb;
}

/**
 * Fill `out` (RGBA bytes, 4 per value) with the colours of `values` under `ramp` over `domain`.
 * Diverging ramps use ±max(|domain|); values beyond the domain take the end colour, NaN the mid.
 */
export function fillColors(
	values: ArrayLike<number>,
	ramp: Ramp,
	domain: readonly [number, number],
	out: Uint8ClampedArray
): void {
	const n = values.length;
	if (out.length < 4 * n) throw new RangeError('output buffer too small');
	const span =
		ramp.kind === 'diverging'
			? Math.max(Math.abs(domain[0]), Math.abs(domain[1]))
			: domain[1] - domain[0];
	for (let i = 0; i < n; i++) {
		const v = values[i];
		let c: [number, number, number];
		if (!Number.isFinite(v) || !(span > 0)) c = [...ramp.mid];
		else if (ramp.kind === 'diverging') {
			const t = Math.min(1, Math.abs(v) / span);
			c = mix(ramp.mid, v < 0 ? ramp.low : ramp.high, t);
		} else {
			const t = Math.min(1, Math.max(0, (v - domain[0]) / span));
			c = mix(ramp.mid, ramp.high, t);
		}
		out[4 * i] = c[0];
		out[4 * i + 1] = c[1];
		out[4 * i + 2] = c[2];
		out[4 * i + 3] = 255;
	}
}

/** The largest |value|, 0 for an empty or all-NaN array. */
export function maxAbs(values: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < values.length; i++) {
		const a = Math.abs(values[i]);
		if (a > m) m = a;
	}
	return m;
}
