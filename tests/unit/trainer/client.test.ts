/**
 * The main-thread client's queue state, without a browser: the module is compiled with Svelte's
 * own compiler (runes and all) and given a stand-in Worker that hands every request to a real
 * `TrainerHost` in this process (cpu backend, files from disk), as the worker would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskLoaders } from '../../../scripts/node/diskSources';
import type { QueuedRun, TrainerRequest, RunSpec } from '$lib/trainer/protocol';
import { TrainerHost } from '$lib/trainer/worker/host';
import type { TrainerClient as Client } from '$lib/trainer/client.svelte';
import { compiledClient } from './compiledClient';
import { smallShiftLora } from './smallShiftLora';
import { waitFor as until } from './waitFor';

/** A Worker whose other side is a `TrainerHost` here, requests handled in order like the worker's. */
class HostWorker {
	onmessage: ((e: { data: unknown }) => void) | null = null;
	onerror: ((e: unknown) => void) | null = null;
	private readonly host = new TrainerHost(
		(event) => setTimeout(() => this.onmessage?.({ data: event }), 0),
		() => diskLoaders()
	);
	private chain: Promise<void> = Promise.resolve();
	postMessage(req: TrainerRequest) {
		const copy = structuredClone(req);
		this.chain = this.chain.then(() => this.host.handle(copy));
	}
	terminate() {}
}

let TrainerClient: typeof Client;

beforeAll(async () => {
	const file = compiledClient('client.compiled');
	Object.assign(globalThis, {
		Worker: HostWorker,
		requestAnimationFrame: (f: () => void) => setTimeout(f, 16),
		cancelAnimationFrame: (id: number) => clearTimeout(id)
	});
	({ TrainerClient } = await import(/* @vite-ignore */ file));
});

afterAll(() => {
	delete (globalThis as { Worker?: unknown }).Worker;
});

const spec: RunSpec = smallShiftLora({ rank: 2, seed: 2 });

describe('TrainerClient queue state', () => {
	it('fills queueResults in order, tracks progress and how the queue ended', async () => {
		const client = new TrainerClient();
		client.start('cpu', '/');
		await until(() => client.backend === 'cpu', 'the backend');
		const runs: QueuedRun[] = [
			{ id: 'a', spec, steps: 6 },
			{ id: 'b', spec: { ...spec, rank: 4 }, steps: 4, measure: { spectrum: 'l1' } }
		];
		client.queue(runs);
		expect(client.queueRunning).toBe(true);
		expect(client.queueDone).toBeNull();
		await until(() => client.queueDone !== null, 'the queue');
		expect(client.queueRunning).toBe(false);
		expect(client.queueDone).toEqual({ cancelled: false, completed: 2 });
		expect(client.queueResults.map((r) => r.id)).toEqual(['a', 'b']);
		expect(client.queueResults[1].singularValues!.length).toBe(128);
		expect(client.queueProgress).toBeNull();

		// A queue replaced before it ends: only the new one's results, and its own end, count.
		client.queue([{ id: 'long', spec, steps: 50_000 }]);
		await until(() => client.queueProgress?.id === 'long', 'progress of the long run');
		expect(client.queueProgress).toMatchObject({ index: 0, total: 1, steps: 50_000 });
		client.queue([{ id: 'short', spec, steps: 2 }]);
		expect(client.queueResults).toEqual([]);
		await until(() => client.queueDone !== null, 'the second queue');
		expect(client.queueDone).toEqual({ cancelled: false, completed: 1 });
		expect(client.queueResults.map((r) => r.id)).toEqual(['short']);

		client.queue([{ id: 'long', spec, steps: 50_000 }]);
		await until(() => client.queueProgress !== null, 'progress');
		client.cancel();
		await until(() => client.queueDone !== null, 'the cancel');
		expect(client.queueDone).toEqual({ cancelled: true, completed: 0 });
		expect(client.queueRunning).toBe(false);

		client.configure(spec);
		client.requestBase('l0');
		await until(() => client.baseWeights !== null, 'the base weights');
		expect(client.baseWeights).toMatchObject({ layer: 'l0', rows: 64, cols: 128 });
		expect(client.baseWeights!.singularValues.length).toBe(64);
		client.dispose();
	});
});
