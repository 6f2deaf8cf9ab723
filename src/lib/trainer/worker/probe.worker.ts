/**
 * A short-lived worker that warms up the candidate backends and reports their timings, so the
 * trainer's worker can start training at once on WebAssembly and move to a faster backend when
 * this answers (see `TrainerHost.settleWarmup`). It owns its own tfjs; nothing is shared.
 */
import type { BackendName } from '../protocol';
import { warmUp } from './backends';
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
	scope.postMessage({ timings: await warmUp(e.data.candidates, warmupProbe) });
};
