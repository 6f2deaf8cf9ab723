/**
 * Greedy label placement for a scatter of a few points: each label tries a handful of spots
 * around its point and takes the first that stays inside the plot and clear of every point,
 * every label already placed and any reserved box; failing that, a spot further above or below
 * with a leader line back to the point. A label with no free spot is left out (the data table
 * still names it). Text width is estimated, not measured, so this runs during render.
 */

/** An axis-aligned box in pixels. */
export interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}

/** A point to label. */
export interface LabelRequest {
	id: string;
	x: number;
	y: number;
	text: string;
}

/** A placed label: where its text goes and how it is anchored. */
export interface PlacedLabel {
	id: string;
	text: string;
	x: number;
	y: number;
	anchor: 'start' | 'middle' | 'end';
	/** A line from the point to a label placed away from it. */
	leader?: { x1: number; y1: number; x2: number; y2: number };
}

/** Whether two boxes share any area. */
export const overlaps = (a: Box, b: Box): boolean =>
	a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Place labels for `points`, in the order given (earlier points win).
 * @param bounds the area labels must stay inside
 * @param reserved boxes to keep clear (other annotations)
 * @param lines thin boxes along lines that labels avoid but leader lines may cross
 * @param fontSize label font size in px; width is estimated at 0.6 em per character
 * @param radius point radius in px
 */
export function placeLabels(
	points: readonly LabelRequest[],
	bounds: Box,
	reserved: readonly Box[] = [],
	lines: readonly Box[] = [],
	fontSize = 12,
	radius = 5
): PlacedLabel[] {
	const taken: Box[] = [
		...reserved,
		...points.map((p) => ({
			x: p.x - radius - 1,
			y: p.y - radius - 1,
			w: 2 * radius + 2,
			h: 2 * radius + 2
		}))
	];
	const h = fontSize * 1.15;
	const gap = radius + 3;
	const placed: PlacedLabel[] = [];
	for (const p of points) {
		const w = p.text.length * fontSize * 0.6;
		const near = [
			{ dx: gap, dy: -h / 2, anchor: 'start' as const },
			{ dx: -gap - w, dy: -h / 2, anchor: 'end' as const },
			{ dx: -w / 2, dy: -gap - h, anchor: 'middle' as const },
			{ dx: -w / 2, dy: gap, anchor: 'middle' as const },
			{ dx: gap - 2, dy: -gap - h + 3, anchor: 'start' as const },
			{ dx: -gap - w + 2, dy: -gap - h + 3, anchor: 'end' as const },
			{ dx: gap - 2, dy: gap - 3, anchor: 'start' as const },
			{ dx: -gap - w + 2, dy: gap - 3, anchor: 'end' as const }
		];
		// Further out, stacked above then below, with a leader line.
		const far = [1, 2, 3, 4].flatMap((k) => [
			{ dx: -w / 2, dy: -gap - h - k * h * 1.1, anchor: 'middle' as const },
			{ dx: -w / 2, dy: gap + k * h * 1.1, anchor: 'middle' as const }
		]);
		const candidates = [...near, ...far.map((c) => ({ ...c, leader: true }))].map((c) => {
			const { dx, dy, anchor } = c;
			const box = { x: p.x + dx, y: p.y + dy, w, h };
			const tx = anchor === 'start' ? box.x : anchor === 'end' ? box.x + w : box.x + w / 2;
			const above = box.y < p.y;
			const label: PlacedLabel = {
				id: p.id,
				text: p.text,
				x: tx,
				// Baseline sits about 0.85 em below the top of the box.
				y: box.y + fontSize * 0.85,
				anchor
			};
			if ('leader' in c) {
				label.leader = {
					x1: p.x,
					y1: above ? p.y - radius - 1 : p.y + radius + 1,
					x2: p.x,
					y2: above ? box.y + h : box.y
				};
			}
			return { box, label };
		});
		const clear = (b: Box) => !taken.some((t) => overlaps(t, b));
		const leaderBox = (l: NonNullable<PlacedLabel['leader']>): Box => ({
			x: l.x1 - 1,
			y: Math.min(l.y1, l.y2),
			w: 2,
			h: Math.abs(l.y2 - l.y1)
		});
		const free = candidates.find(({ box, label }) => {
			const inside =
				box.x >= bounds.x &&
				box.y >= bounds.y &&
				box.x + box.w <= bounds.x + bounds.w &&
				box.y + box.h <= bounds.y + bounds.h;
			if (!inside || !clear(box) || lines.some((t) => overlaps(t, box))) return false;
			const l = label.leader;
			if (!l) return true;
			return clear(leaderBox(l));
		});
		if (!free) continue;
		taken.push(free.box);
		if (free.label.leader) taken.push(leaderBox(free.label.leader));
		placed.push(free.label);
	}
	return placed;
}
