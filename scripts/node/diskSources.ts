/**
 * The shipped files read from disk instead of fetched: for Node scripts that record results and
 * for tests, so they load the very bytes the site serves. Node only (never import it from a page
 * or the worker).
 */
import { readFileSync } from 'node:fs';
import { parseDigits } from '$lib/model/data/digits';
import {
	concatSplits,
	splitCorpus,
	type TextCorpusEntry,
	type TextSplit
} from '$lib/model/data/text';
import { buildModel, unpackWeights, type ModelManifest } from '$lib/model/weightsFile';
import { RunSources, type Loaders } from '$lib/trainer/worker/sources';

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
		},
		text: async (id) => {
			const entry = textManifest(dir)[id];
			if (!entry) throw new Error(`no corpus “${id}” in ${dir}/data/manifest.json`);
			return { entry, bytes: new Uint8Array(readFileSync(`${dir}/data/${entry.file}`)) };
		}
	};
}

/** `RunSources` over the static folder. */
export function diskSources(dir = 'static'): RunSources {
	return new RunSources(diskLoaders(dir));
}

/**
 * The train and held-out text of shipped corpora (ids of `static/data/manifest.json`), each split
 * by its manifest's rule, joined without letting a window cross from one corpus into the next.
 */
export function diskTextSplits(
	ids: readonly string[],
	dir = 'static'
): { train: TextSplit; test: TextSplit } {
	const manifest = textManifest(dir);
	const parts = ids.map((id) => {
		const entry = manifest[id];
		if (!entry) throw new Error(`no corpus “${id}” in ${dir}/data/manifest.json`);
		return splitCorpus(new Uint8Array(readFileSync(`${dir}/data/${entry.file}`)), entry.split);
	});
	return {
		train: concatSplits(parts.map((p) => p.train)),
		test: concatSplits(parts.map((p) => p.test))
	};
}

function textManifest(dir: string): Record<string, TextCorpusEntry> {
	return JSON.parse(readFileSync(`${dir}/data/manifest.json`, 'utf8'));
}
