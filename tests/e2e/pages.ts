/** Every page of the test build, as site paths (`''`, `lessons/why-peft/`, …), found on disk. */
import { readdirSync } from 'node:fs';
import { sitePages } from '../../scripts/pages.js';
import { TEST_BUILD_DIR } from './globalSetup';

/**
 * Site paths of all prerendered pages, home first, but the figures' embed pages: each is a
 * lesson's figure alone, so the per-page specs would check the same figures again; embed.spec.ts
 * checks them.
 */
export function allPages(): string[] {
	return sitePages(TEST_BUILD_DIR).filter((p) => !p.startsWith('embed/'));
}

/** Site paths of the figures' embed pages (`embed/<figure id>/`). */
export function embedPages(): string[] {
	return sitePages(TEST_BUILD_DIR).filter((p) => p.startsWith('embed/'));
}

/** Site paths of the lesson pages, in course order (the number of each `lessons/NN-slug` folder). */
export function lessonPages(): string[] {
	const order = readdirSync('lessons')
		.sort()
		.map((d) => `lessons/${d.replace(/^\d+-/, '')}/`);
	return allPages()
		.filter((p) => p.startsWith('lessons/'))
		.sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
