/**
 * The shipped files read from disk instead of fetched: for Node scripts that record results and
 * for tests, so they load the very bytes the site serves. Node only (never import it from a page
 * or the worker).
 */
import { readFileSync } from 'node:fs';
import { parseDigits } from '$lib/model/data/digits';
import { buildModel, unpackWeights, type ModelManifest } from '$lib/model/weightsFile';
import { RunSources, type Loaders } from './sources';

/** Loaders over the site's static folder (`static/` from the repository root by default). */
export function diskLoaders(dir = 'static'): Loaders {
	const manifest: ModelManifest = JSON.parse(readFileSync(`${dir}/models/manifest.json`, 'utf8'));
	return {
		digits: async () => parseDigits(new Uint8Array(readFileSync(`${dir}/data/digits/digits.bin`))),
		base: async (id) => {
			const entry = manifest.models[id];
			if (!entry) throw new Error(`no base model “${id}” in ${dir}/models/manifest.json`);
			const bytes = new Uint8Array(readFileSync(`${dir}/models/${entry.file}`));
			return { entry, weights: unpackWeights(buildModel(entry.config).params, bytes) };
		}
	};
}

/** `RunSources` over the static folder. */
export function diskSources(dir = 'static'): RunSources {
	return new RunSources(diskLoaders(dir));
}
