/**
 * `offline-files.json`: the app files the service worker must store that SvelteKit's
 * `$service-worker` lists miss. Vite builds the trainer's Web Workers (and the WebAssembly files
 * tfjs loads in them) outside the client manifest those lists come from, so the build lists what
 * it wrote under `_app/immutable/` instead, read from SvelteKit's client output at prerender time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { json } from '@sveltejs/kit';
import { dev } from '$app/environment';

export const prerender = true;

/** Where SvelteKit writes the client build before prerendering (its default `outDir`). */
const CLIENT = '.svelte-kit/output/client';

/** Every file under `dir`, recursively. */
function walk(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]
	);
}

export const GET = () => {
	if (dev) return json([]);
	const immutable = join(CLIENT, '_app', 'immutable');
	// Fail the build rather than ship a service worker that stores half the course.
	if (!existsSync(join(immutable, 'workers')))
		throw new Error(`offline-files.json: no worker bundles under ${immutable}`);
	const paths = walk(immutable)
		.map((f) => relative(CLIENT, f).split(sep).join('/'))
		.filter((f) => !f.endsWith('.map'))
		.sort();
	return json(paths);
};
