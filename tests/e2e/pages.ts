/** Every page of the test build, as site paths (`''`, `lessons/why-peft/`, …), found on disk. */
import { sitePages } from '../../scripts/pages.js';

/** Site paths of all prerendered pages, home first. */
export function allPages(): string[] {
	return sitePages('build-test');
}

/** Site paths of the lesson pages. */
export function lessonPages(): string[] {
	return allPages().filter((p) => p.startsWith('lessons/'));
}
