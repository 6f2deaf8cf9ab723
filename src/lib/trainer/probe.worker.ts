/**
 * A short-lived worker that warms up the candidate backends and reports their timings, so the
 * trainer's worker can start training at once on WebAssembly and move to a faster backend when
 * this answers (see `TrainerHost.settleWarmup`). It owns its own tfjs; nothing is shared.
 */
import { activate, type BackendName } from './backends';
import { warmupProbe } from './warmup';

/** What the probe is asked, and what it answers. */
export interface ProbeRequest {
	candidates: BackendName[];
}
export interface ProbeReply {
	timings: Partial<Record<BackendName, number>>;
}

const scope = self as unknown as {
	postMessage(message: ProbeReply): void;
	onmessage: ((e: MessageEvent<ProbeRequest>) => void) | null;
};

scope.onmessage = async (e) => {
	const timings: ProbeReply['timings'] = {};
	for (const name of e.data.candidates) {
		if (!(await activate(name))) continue;
		try {
			timings[name] = await warmupProbe(Math.min(Infinity, ...Object.values(timings)));
		} catch {
			/* a backend that fails its warm-up is simply not a candidate */
		}
	}
	scope.postMessage({ timings });
};
