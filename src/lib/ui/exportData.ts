/**
 * Export a figure's numbers and drawing: CSV text from a table's columns and rows, an SVG element
 * as a standalone file (its CSS variables resolved, so it renders the same outside the page), and
 * a PNG drawn from that SVG. `toCsv` and `standaloneSvg` are pure; the `download*` helpers need a
 * browser and are called from click handlers.
 */

/** One column of a data table: how to read a row and how to show it. */
export interface Column<Row> {
	/** Column header (also the CSV header). */
	label: string;
	/** The raw value for CSV (numbers unformatted, so a spreadsheet can compute with them). */
	value: (row: Row) => string | number | null | undefined;
	/** How the value reads on the page; defaults to the raw value. */
	format?: (row: Row) => string;
	/** Right-align numbers. */
	numeric?: boolean;
}

/** Quote a CSV field when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(v: string | number | null | undefined): string {
	if (v === null || v === undefined) return '';
	if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
	return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text (header line first, CRLF line ends as RFC 4180 asks) for `rows` under `columns`. */
export function toCsv<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
	const lines = [columns.map((c) => csvField(c.label)).join(',')];
	for (const r of rows) lines.push(columns.map((c) => csvField(c.value(r))).join(','));
	return lines.join('\r\n') + '\r\n';
}

/** A file name from a title: lower case, words joined by hyphens, at most 60 characters. */
export function fileSlug(title: string): string {
	const s = title
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60)
		.replace(/-+$/, '');
	return s || 'figure';
}

/** Offer `blob` as a download named `filename`. */
export function downloadBlob(filename: string, blob: Blob): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = filename;
	a.rel = 'noopener';
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Offer `rows` as a CSV download. */
export function downloadCsv<Row>(
	filename: string,
	columns: readonly Column<Row>[],
	rows: readonly Row[]
): void {
	downloadBlob(filename, new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }));
}

/** Presentation properties copied inline so an exported SVG looks as it does on the page. */
const STYLE_PROPS = [
	'fill',
	'fill-opacity',
	'stroke',
	'stroke-width',
	'stroke-dasharray',
	'stroke-opacity',
	'opacity',
	'font-family',
	'font-size',
	'font-weight',
	'text-anchor',
	'dominant-baseline'
] as const;

/**
 * A standalone copy of `svg`: computed presentation styles inlined (CSS variables and classes do
 * not travel with a file), an explicit size, a background rectangle and the XML namespace.
 * @param background fill behind the drawing (the page's surface colour by default)
 */
export function standaloneSvg(svg: SVGSVGElement, background?: string): string {
	const clone = svg.cloneNode(true) as SVGSVGElement;
	const source = [svg, ...svg.querySelectorAll('*')];
	const target = [clone, ...clone.querySelectorAll('*')];
	source.forEach((el, i) => {
		const cs = getComputedStyle(el);
		const out = target[i] as SVGElement;
		const decl = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
		out.setAttribute('style', decl);
		out.removeAttribute('class');
	});
	const box = svg.getBoundingClientRect();
	const width = Math.round(box.width) || Number(svg.getAttribute('width')) || 600;
	const height = Math.round(box.height) || Number(svg.getAttribute('height')) || 400;
	clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
	clone.setAttribute('width', String(width));
	clone.setAttribute('height', String(height));
	if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
	const bg = background ?? getComputedStyle(svg.closest('figure') ?? document.body).backgroundColor;
	const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
	rect.setAttribute('width', '100%');
	rect.setAttribute('height', '100%');
	rect.setAttribute('fill', bg && bg !== 'rgba(0, 0, 0, 0)' ? bg : '#ffffff');
	clone.insertBefore(rect, clone.firstChild);
	return new XMLSerializer().serializeToString(clone);
}

/** Offer the chart `svg` as an SVG file. */
export function downloadSvg(filename: string, svg: SVGSVGElement): void {
	downloadBlob(filename, new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }));
}

/** Draw the chart `svg` at `scale`× into a PNG and offer it; resolves once offered. */
export async function downloadPng(filename: string, svg: SVGSVGElement, scale = 2): Promise<void> {
	const text = standaloneSvg(svg);
	const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
	try {
		const img = new Image();
		img.src = url;
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = Math.round(img.width * scale);
		canvas.height = Math.round(img.height * scale);
		const ctx = canvas.getContext('2d');
		if (!ctx) throw new Error('This browser cannot draw to a canvas.');
		ctx.scale(scale, scale);
		ctx.drawImage(img, 0, 0);
		const png = await new Promise<Blob>((resolve, reject) =>
			canvas.toBlob(
				(b) => (b ? resolve(b) : reject(new Error('PNG encoding failed.'))),
				'image/png'
			)
		);
		downloadBlob(filename, png);
	} finally {
		URL.revokeObjectURL(url);
	}
}
