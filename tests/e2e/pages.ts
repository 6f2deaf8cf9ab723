/** Every page of the test build, as site paths (`''`, `lessons/why-peft/`, …), found on disk. */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const BUILD = 'build-test';

function walk(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const path = join(dir, e.name);
		if (e.isDirectory()) return e.name === '_app' ? [] : walk(path);
		return e.name === 'index.html' ? [path] : [];
	});
}

/** Site paths of all prerendered pages, home first. */
export function allPages(): string[] {
	return walk(BUILD)
		.map((file) => relative(BUILD, file).split(sep).slice(0, -1).join('/'))
		.map((dir) => (dir ? `${dir}/` : ''))
		.sort();
}

/** Site paths of the lesson pages. */
export function lessonPages(): string[] {
	return allPages().filter((p) => p.startsWith('lessons/'));
}
