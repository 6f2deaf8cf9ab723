/**
 * The trainer's dedicated module worker: a thin adapter from `postMessage` to `TrainerHost`.
 * Requests are handled one at a time, in order, except `pause`, `snapshot` and `dispose`, which
 * must reach a running loop between its chunks.
 */
import { TrainerHost, type Loaders } from './host';
import { fetchChecked, fetchModelManifest, loadDigits } from './assets';
import { unpackWeights, buildModel } from '$lib/model/weightsFile';
import type { Event, Request } from './protocol';

const scope = self as unknown as {
	postMessage(message: Event, transfer?: Transferable[]): void;
	onmessage: ((e: MessageEvent<Request>) => void) | null;
	close(): void;
};

function loaders(assets: string): Loaders {
	return {
		digits: (onProgress) => loadDigits(assets, onProgress),
		async base(id, onProgress) {
			const manifest = await fetchModelManifest(assets);
			const entry = manifest.models[id];
			if (!entry) throw new Error(`no base model “${id}” in the manifest`);
			const bytes = await fetchChecked(
				`${assets}models/${entry.file}`,
				entry.bytes,
				entry.sha256,
				onProgress
			);
			return { entry, weights: unpackWeights(buildModel(entry.config).params, bytes) };
		}
	};
}

const host = new TrainerHost(
	(event, transfer) => scope.postMessage(event, transfer ?? []),
	loaders
);
const urgent = new Set<Request['type']>(['pause', 'snapshot', 'dispose']);
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e) => {
	const req = e.data;
	if (urgent.has(req.type)) {
		void host.handle(req).then(() => {
			if (req.type === 'dispose') scope.close();
		});
		return;
	}
	queue = queue.then(() => host.handle(req));
};
