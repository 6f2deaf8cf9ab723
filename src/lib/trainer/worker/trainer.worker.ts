/**
 * The trainer's dedicated module worker: a thin adapter from `postMessage` to `TrainerHost`.
 * Requests are handled one at a time, in order, except `pause`, `snapshot` and `dispose`, which
 * must reach a running loop between its chunks.
 */
import { TrainerHost } from './host';
import type { Loaders } from './sources';
import { fetchChecked, fetchModelManifest, loadDigits, loadText } from '../assets';
import { unpackWeights, buildModel } from '$lib/model/weightsFile';
import type { TrainerEvent, TrainerRequest } from '../protocol';
import type { ProbeReply, ProbeRequest } from './probe.worker';

const scope = self as unknown as {
	postMessage(message: TrainerEvent, transfer?: Transferable[]): void;
	onmessage: ((e: MessageEvent<TrainerRequest>) => void) | null;
	close(): void;
};

function loaders(assets: string): Loaders {
	return {
		digits: (onProgress) => loadDigits(assets, onProgress),
		async base(id, onProgress) {
			const manifest = await fetchModelManifest(assets, onProgress);
			const entry = manifest.models[id];
			if (!entry) throw new Error(`no base model “${id}” in the manifest`);
			const bytes = await fetchChecked(
				`${assets}models/${entry.file}`,
				entry.bytes,
				entry.sha256,
				onProgress
			);
			return { entry, weights: unpackWeights(buildModel(entry.config).params, bytes) };
		},
		text: (id, onProgress) => loadText(assets, id, onProgress)
	};
}

/** Set once training has begun: the warm-up waits for it (see `warmUpElsewhere`). */
let firstSteps: (() => void) | undefined;

const host = new TrainerHost(
	(event, transfer) => {
		scope.postMessage(event, transfer ?? []);
		if (event.type === 'metrics' || event.type === 'queue-progress') firstSteps?.();
	},
	loaders,
	true
);
const urgent = new Set<TrainerRequest['type']>(['pause', 'snapshot', 'dispose']);
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
	if (req.type === 'init') queue = queue.then(warmUpElsewhere);
};

/**
 * The probe waits for the first training steps (or a few seconds, if none come): started at
 * once, its shader compiles competed with loading the data and the base for the machine's few
 * cores, and the reader's first step came later (3.3 s against 1.7 s on a second visit here).
 */
const PROBE_LATEST_MS = 4000;

/**
 * When the run started on WebAssembly without a warm-up, measure the other backends in a probe
 * worker once training has begun; its answer joins the queue like a request, so it never
 * interleaves with one.
 */
function warmUpElsewhere() {
	if (!host.pendingWarmup) return;
	const timer = setTimeout(() => firstSteps?.(), PROBE_LATEST_MS);
	firstSteps = () => {
		firstSteps = undefined;
		clearTimeout(timer);
		startProbe();
	};
}

function startProbe() {
	const candidates = host.pendingWarmup;
	if (!candidates) return;
	const probe = new Worker(new URL('./probe.worker.ts', import.meta.url), { type: 'module' });
	probe.onmessage = (e: MessageEvent<ProbeReply>) => {
		probe.terminate();
		queue = queue.then(() => host.settleWarmup(e.data.timings));
	};
	probe.onerror = () => {
		probe.terminate();
		queue = queue.then(() => host.settleWarmup({}));
	};
	probe.postMessage({ candidates } satisfies ProbeRequest);
}
