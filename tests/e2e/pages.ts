/** Every page of the test build, as site paths (`''`, `lessons/why-peft/`, …), found on disk. */
import { readdirSync } from 'node:fs';
import { sitePages } from '../../scripts/pages.js';

/** Site paths of all prerendered pages, home first. */
export function allPages(): string[] {
	return sitePages('build-test');
}

/** Place of a lesson slug in the course, from its folder `lessons/NN-slug`. */
function courseOrder(): Map<string, number> {
	const order = new Map<string, number>();
	for (const d of readdirSync('lessons')) {
		const m = /^(\d+)-(.+)$/.exec(d);
		if (m) order.set(m[2], Number(m[1]));
	}
	return order;
}

/** Site paths of the lesson pages, in course order (the folders' numbers, not the alphabet). */
export function lessonPages(): string[] {
	const order = courseOrder();
	const rank = (p: string) => order.get(p.split('/')[1]) ?? Infinity;
	return allPages()
		.filter((p) => p.startsWith('lessons/'))
		.sort((a, b) => rank(a) - rank(b));
}
