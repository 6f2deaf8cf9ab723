/**
 * A stand-in for the browser's Worker that records what the page sends it and lets a test
 * report events as the trainer worker would. Stub it with `vi.stubGlobal('Worker',
 * RecordingWorker)`; `workers` lists every one made, in order.
 */
import type { TrainerEvent, TrainerRequest } from '$lib/trainer/protocol';

/** Every worker made, in order. */
export const workers: RecordingWorker[] = [];

export class RecordingWorker {
	onmessage: ((e: { data: TrainerEvent }) => void) | null = null;
	onerror: ((e: unknown) => void) | null = null;
	sent: TrainerRequest[] = [];
	terminated = false;
	constructor() {
		workers.push(this);
	}
	postMessage(req: TrainerRequest) {
		if (this.terminated) throw new Error('posted to a terminated worker');
		this.sent.push(structuredClone(req));
	}
	terminate() {
		this.terminated = true;
	}
	/** The worker reports `ev`. */
	emit(ev: TrainerEvent) {
		this.onmessage?.({ data: ev });
	}
	types() {
		return this.sent.map((r) => r.type);
	}
}

/** The worker's answer to a configuration. */
export const configured: TrainerEvent = {
	type: 'configured',
	base: 'digits',
	task: 'affine-small',
	layers: [],
	trainableParams: 1,
	totalParams: 2,
	ledger: null as never
};
