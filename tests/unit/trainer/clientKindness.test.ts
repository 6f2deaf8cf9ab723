/**
 * The client's kindness to the machine, with a stand-in Worker that records what it is sent:
 * configurations coalesced (a slider drag rebuilds the run once or twice, and order with other
 * requests is kept), runs, ladders and queues stopped while the tab is hidden and resumed when
 * it shows (only what hiding stopped), and workers terminated on pagehide.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueuedRun, TrainerEvent, TrainerRequest, RunSpec } from '$lib/trainer/protocol';
import type * as ClientModule from '$lib/trainer/client.svelte';
import { compiledClient } from './compiledClient';
import { RecordingWorker, configured, workers } from './recordingWorker';

const docListeners: Record<string, () => void> = {};
const winListeners: Record<string, (e: { persisted: boolean }) => void> = {};
const doc = {
	visibilityState: 'visible' as 'visible' | 'hidden',
	addEventListener: (type: string, f: () => void) => (docListeners[type] = f)
};

function setTab(state: 'visible' | 'hidden') {
	doc.visibilityState = state;
	docListeners.visibilitychange?.();
}

let mod: typeof ClientModule;

beforeAll(async () => {
	const file = compiledClient('client.kindness.compiled');
	vi.stubGlobal('Worker', RecordingWorker);
	vi.stubGlobal('document', doc);
	vi.stubGlobal('window', {
		addEventListener: (type: string, f: (e: { persisted: boolean }) => void) =>
			(winListeners[type] = f)
	});
	vi.stubGlobal('requestAnimationFrame', (f: () => void) => setTimeout(f, 16));
	vi.stubGlobal('cancelAnimationFrame', (id: number) => clearTimeout(id));
	vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
	mod = await import(/* @vite-ignore */ file);
});

const spec = (rank: number): RunSpec => ({
	task: { kind: 'digits', task: 'affine-small' },
	method: 'lora',
	rank,
	lr: 3e-3,
	batchSize: 32,
	seed: 1
});

/** A started client and its worker, with the init request already sent. */
function started() {
	const client = new mod.TrainerClient();
	client.start('cpu', '/');
	const worker = workers.at(-1)!;
	worker.sent = [];
	return { client, worker };
}

/** What the worker says while a run trains. */
const metrics = (step: number, running: boolean): TrainerEvent => ({
	type: 'metrics',
	step,
	loss: 1,
	meanLoss: 1,
	stepsPerSecond: 100,
	backend: 'cpu',
	running
});

beforeEach(() => {
	vi.useFakeTimers();
	doc.visibilityState = 'visible';
});
afterEach(() => {
	vi.useRealTimers();
});

describe('configure coalescing', () => {
	it('turns a drag across ten ranks into at most two configurations, the last rank last', () => {
		const { client, worker } = started();
		for (let r = 1; r <= 10; r++) {
			client.configure(spec(r));
			vi.advanceTimersByTime(30);
			// The worker answers the first configuration while the drag goes on.
			if (r === 4) worker.emit(configured);
		}
		vi.advanceTimersByTime(mod.CONFIGURE_GAP_MS);
		const sent = worker.sent.filter((r) => r.type === 'configure');
		expect(sent.length).toBeGreaterThanOrEqual(1);
		expect(sent.length).toBeLessThanOrEqual(2);
		expect(sent[0]).toEqual({ type: 'configure', spec: spec(1) });
		expect(sent.at(-1)).toEqual({ type: 'configure', spec: spec(10) });
		client.dispose();
	});

	it('sends a lone change at once, and changes far apart each at once', () => {
		const { client, worker } = started();
		client.configure(spec(2));
		expect(worker.types()).toEqual(['configure']);
		vi.advanceTimersByTime(mod.CONFIGURE_GAP_MS + 1);
		worker.emit(configured);
		client.configure(spec(3));
		expect(worker.types()).toEqual(['configure', 'configure']);
		client.dispose();
	});

	it('holds the last of a drag until the worker has answered the one before, or for so long', () => {
		const { client, worker } = started();
		client.configure(spec(2));
		// A slow machine: input comes in bursts with long stalls, and the worker is still busy.
		for (const r of [3, 4, 5]) {
			client.configure(spec(r));
			vi.advanceTimersByTime(mod.CONFIGURE_GAP_MS + 50);
		}
		expect(worker.types()).toEqual(['configure']);
		worker.emit(configured);
		expect(worker.sent).toEqual([
			{ type: 'configure', spec: spec(2) },
			{ type: 'configure', spec: spec(5) }
		]);
		// No answer this time (a worker stuck loading): the next goes after CONFIGURE_WAIT_MS.
		client.configure(spec(6));
		vi.advanceTimersByTime(mod.CONFIGURE_WAIT_MS);
		expect(worker.sent.at(-1)).toEqual({ type: 'configure', spec: spec(6) });
		client.dispose();
	});

	it('sends a waiting configuration before any other request, so Train trains the last one', () => {
		const { client, worker } = started();
		client.configure(spec(2));
		client.configure(spec(5));
		client.configure(spec(6));
		client.run();
		expect(worker.sent).toEqual([
			{ type: 'configure', spec: spec(2) },
			{ type: 'configure', spec: spec(6) },
			{ type: 'run' }
		]);
		vi.advanceTimersByTime(mod.CONFIGURE_GAP_MS * 2);
		expect(worker.sent.length).toBe(3);
		client.dispose();
	});

	it('drops a waiting configuration on dispose', () => {
		const { client, worker } = started();
		client.configure(spec(2));
		client.configure(spec(3));
		client.dispose();
		vi.advanceTimersByTime(mod.CONFIGURE_GAP_MS * 2);
		expect(worker.types()).toEqual(['configure', 'dispose']);
	});
});

describe('hidden tab', () => {
	it('pauses a running run when hidden and resumes it when shown', () => {
		const { client, worker } = started();
		client.run();
		expect(client.status).toBe('running');
		setTab('hidden');
		expect(worker.types()).toEqual(['run', 'pause']);
		worker.emit(metrics(40, false));
		expect(client.status).toBe('paused');
		setTab('visible');
		expect(worker.types()).toEqual(['run', 'pause', 'run']);
		expect(client.status).toBe('running');
		client.dispose();
	});

	it('leaves a run the reader paused paused when the tab shows again', () => {
		const { client, worker } = started();
		client.run();
		client.pause();
		worker.emit(metrics(40, false));
		setTab('hidden');
		setTab('visible');
		expect(worker.types()).toEqual(['run', 'pause']);
		client.dispose();
	});

	it('holds a run asked for while hidden until the tab shows', () => {
		const { client, worker } = started();
		setTab('hidden');
		client.run();
		expect(worker.types()).toEqual([]);
		setTab('visible');
		expect(worker.types()).toEqual(['run']);
		client.dispose();
	});

	it('pauses a ladder and goes on with it, not with a run', () => {
		const { client, worker } = started();
		const ladder = { widths: [8, 16], steps: 50, seed: 1 } as Parameters<
			typeof client.runLadder
		>[0];
		client.runLadder(ladder);
		setTab('hidden');
		setTab('visible');
		expect(worker.sent.slice(1)).toEqual([{ type: 'pause' }, { type: 'ladder', spec: null }]);
		client.dispose();
	});

	it('stops a queue and, when shown, sends the runs it had not finished, numbered on', () => {
		const { client, worker } = started();
		const runs: QueuedRun[] = ['a', 'b', 'c'].map((id) => ({ id, spec: spec(2), steps: 10 }));
		client.queue(runs);
		const result = (id: string) =>
			({ type: 'queue-result', result: { id } }) as unknown as TrainerEvent;
		worker.emit(result('a'));
		setTab('hidden');
		expect(worker.types()).toEqual(['queue', 'cancel']);
		// The worker's cancelled queue ends; the page's queue has not.
		worker.emit(result('b'));
		worker.emit({ type: 'queue-done', cancelled: true, completed: 1 });
		expect(client.queueRunning).toBe(true);
		expect(client.queueDone).toBeNull();
		setTab('visible');
		const again = worker.sent.at(-1) as Extract<TrainerRequest, { type: 'queue' }>;
		expect(again.runs.map((r) => r.id)).toEqual(['b', 'c']);
		worker.emit({
			type: 'queue-progress',
			id: 'b',
			index: 0,
			total: 2,
			step: 3,
			steps: 10,
			backend: 'cpu'
		} as TrainerEvent);
		expect(client.queueProgress).toMatchObject({ id: 'b', index: 1, total: 3 });
		worker.emit(result('b'));
		worker.emit(result('c'));
		worker.emit({ type: 'queue-done', cancelled: false, completed: 2 });
		expect(client.queueResults.map((r) => r.id)).toEqual(['a', 'b', 'c']);
		expect(client.queueDone).toEqual({ cancelled: false, completed: 3 });
		expect(client.queueRunning).toBe(false);
		client.dispose();
	});
});

describe('page lifecycle', () => {
	it('terminates every worker on pagehide and starts afresh, configured, on pageshow', () => {
		const before = mod.liveWorkers();
		const a = started();
		const b = started();
		a.client.configure(spec(4));
		expect(mod.liveWorkers()).toBe(before + 2);
		winListeners.pagehide({ persisted: true });
		expect(a.worker.terminated && b.worker.terminated).toBe(true);
		expect(mod.liveWorkers()).toBe(before);
		winListeners.pageshow({ persisted: true });
		expect(mod.liveWorkers()).toBe(before + 2);
		const fresh = workers.slice(-2);
		expect(fresh.some((w) => w.sent.at(-1)?.type === 'configure')).toBe(true);
		a.client.dispose();
		b.client.dispose();
		vi.advanceTimersByTime(500);
		expect(mod.liveWorkers()).toBe(before);
	});

	it('terminates the worker half a second after dispose', () => {
		const { client, worker } = started();
		client.dispose();
		expect(worker.terminated).toBe(false);
		vi.advanceTimersByTime(500);
		expect(worker.terminated).toBe(true);
	});
});
