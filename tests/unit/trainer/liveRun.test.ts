/**
 * The live-figure shell with a stand-in Worker that records what it is sent: the URL table read
 * on mount and written on change (names unchanged, defaults left out), no worker before the
 * reader's first action and one per client after it, one figure training at a time (the other
 * pauses and says why), pause off screen and go on when back, and disposal.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrainerEvent as Event } from '$lib/trainer/protocol';
import type * as LiveRunModule from '$lib/trainer/liveRun.svelte';
import { choice, number } from '$lib/ui/urlTable';
import { compiledLiveRun } from './compiledClient';
import { RecordingWorker, configured, workers } from './recordingWorker';

const { replaceState } = vi.hoisted(() => ({ replaceState: vi.fn() }));
vi.mock('$app/navigation', () => ({ replaceState }));
vi.mock('$app/state', () => ({ page: { state: {} } }));
vi.mock('$app/paths', () => ({ assets: '/why-peft' }));

const page = 'https://course.test/why-peft/lessons/low-rank-updates/';
let mod: typeof LiveRunModule;

beforeAll(async () => {
	const file = compiledLiveRun('liveRun.compiled');
	vi.stubGlobal('Worker', RecordingWorker);
	vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: () => undefined });
	vi.stubGlobal('window', { addEventListener: () => undefined, location: { href: page } });
	vi.stubGlobal('location', { href: page, search: '' });
	vi.stubGlobal('requestAnimationFrame', (f: () => void) => setTimeout(f, 16));
	vi.stubGlobal('cancelAnimationFrame', (id: number) => clearTimeout(id));
	vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
	mod = await import(/* @vite-ignore */ file);
});

beforeEach(() => {
	vi.useFakeTimers();
	workers.length = 0;
	replaceState.mockClear();
});
afterEach(() => vi.useRealTimers());

type Task = 'small' | 'lm';
interface V {
	task: Task;
	layer: string;
	steps: number;
	backend: 'auto' | 'wasm' | 'webgl' | 'webgpu' | 'cpu';
}
const LAYERS: Record<Task, string[]> = { small: ['l0', 'l1'], lm: ['qv'] };

/** A figure's shell: two clients, a dependent matrix and steps, a backend (and `actions`, if any). */
function figure(label: string, onstart = vi.fn(), actions?: LiveRunModule.LiveActions) {
	const run = new mod.LiveRun<V>({
		label,
		clients: 2,
		params: {
			task: choice('rank-task', ['small', 'lm'] as const, 'small', 'task here'),
			layer: choice(
				'rank-layer',
				(v) => LAYERS[v.task],
				(v) => LAYERS[v.task][0],
				'matrix here'
			),
			steps: number('rank-steps', {
				min: 10,
				max: 5000,
				fallback: (v) => (v.task === 'lm' ? 40 : 300),
				integer: true,
				label: 'number of steps'
			}),
			backend: mod.backendParam('rank-backend')
		},
		onstart,
		actions
	});
	return { run, onstart };
}

/** Figures 2 and 4 mounted on one page, and how to unmount both. */
function twoFigures() {
	const a = figure('Figure 2').run;
	const b = figure('Figure 4').run;
	const stops = [a.mount(''), b.mount('')];
	return { a, b, stop: () => stops.forEach((f) => f()) };
}

const metrics = (step: number, running: boolean): Event => ({
	type: 'metrics',
	step,
	loss: 1,
	meanLoss: 1,
	stepsPerSecond: 100,
	backend: 'wasm',
	running
});

/** The query of the last URL written. */
const written = () => new URL(replaceState.mock.calls.at(-1)![0]).search;

describe('URL parameters', () => {
	it('reads the table on mount, with a sentence for each value it could not use', () => {
		const { run } = figure('Figure 4');
		// Not mounted yet (the prerendered page): the figure's first-action buttons stay disabled.
		expect(run.mounted).toBe(false);
		const stop = run.mount('?rank-task=lm&rank-layer=l1&rank-steps=3&rank-backend=wasm');
		expect(run.mounted).toBe(true);
		expect({ ...run.v }).toEqual({ task: 'lm', layer: 'qv', steps: 10, backend: 'wasm' });
		expect(run.messages).toEqual([
			'“l1” is not a matrix here; showing qv.',
			'3 is below the smallest number of steps, 10; using 10.'
		]);
		stop();
	});

	it('on a change, settles the other values, shows the message, writes the URL without defaults', () => {
		const { run } = figure('Figure 4');
		const stop = run.mount('?rank-layer=l1');
		run.v.task = 'lm';
		run.change('a note');
		expect({ ...run.v }).toEqual({ task: 'lm', layer: 'qv', steps: 40, backend: 'auto' });
		expect(run.messages).toEqual(['a note']);
		expect(written()).toBe('?rank-task=lm');
		run.change();
		expect(run.messages).toEqual([]);
		stop();
	});
});

describe('workers start on the first action', () => {
	it('makes no worker on mount, one per client on start, and configures once', () => {
		const { run, onstart } = figure('Figure 4');
		const stop = run.mount('?rank-backend=webgl');
		expect(workers).toHaveLength(0);
		expect(run.started).toBe(false);
		expect(run.start()).toBe(true);
		expect(workers).toHaveLength(2);
		expect(workers[0].sent[0]).toMatchObject({
			type: 'init',
			backend: 'webgl',
			assets: 'https://course.test/why-peft/'
		});
		expect(onstart).toHaveBeenCalledTimes(1);
		expect(run.start()).toBe(false);
		expect(workers).toHaveLength(2);
		expect(onstart).toHaveBeenCalledTimes(1);
		run.v.backend = 'cpu';
		run.setBackend();
		expect(workers.map((w) => w.sent.at(-1))).toEqual([
			{ type: 'backend', backend: 'cpu' },
			{ type: 'backend', backend: 'cpu' }
		]);
		stop();
	});

	it('disposes the workers it started, and none it did not', () => {
		const { run } = figure('Figure 4');
		run.mount('')();
		expect(workers).toHaveLength(0);
		const b = figure('Figure 5').run;
		const stop = b.mount('');
		b.start();
		stop();
		expect(workers.map((w) => w.types().at(-1))).toEqual(['dispose', 'dispose']);
		vi.advanceTimersByTime(600);
		expect(workers.every((w) => w.terminated)).toBe(true);
		expect(b.started).toBe(false);
	});
});

describe('one figure trains at a time', () => {
	it('pauses the figure training when another starts, and it says why', () => {
		const { a, b, stop } = twoFigures();
		a.start();
		a.client.run();
		workers[0].emit(metrics(5, true));
		expect(a.training).toBe(true);
		b.start();
		expect(workers[0].types().at(-1)).toBe('pause');
		expect(a.paused).toMatch(/^Paused: Figure 4 started training/);
		expect(a.notes.at(-1)).toBe(a.paused);
		expect(b.paused).toBeNull();
		// Its own next start clears the note and pauses the other in turn.
		workers[2].emit(metrics(1, true));
		a.start();
		expect(a.paused).toBeNull();
		expect(workers[2].types().at(-1)).toBe('pause');
		stop();
	});

	it('leaves a figure that does not train alone', () => {
		const { a, b, stop } = twoFigures();
		a.start();
		b.start();
		expect(a.paused).toBeNull();
		expect(workers[0].types()).not.toContain('pause');
		stop();
	});
});

describe('off screen', () => {
	it('pauses what trains and goes on when back, unless another figure started meanwhile', () => {
		const { a, b, stop } = twoFigures();
		a.start();
		a.client.run();
		workers[0].emit(metrics(3, true));
		a.visible(false);
		expect(workers[0].types().at(-1)).toBe('pause');
		workers[0].emit(metrics(4, false));
		a.visible(true);
		expect(workers[0].types().at(-1)).toBe('run');
		expect(workers[1].types()).not.toContain('run');

		workers[0].emit(metrics(6, true));
		a.visible(false);
		workers[0].emit(metrics(7, false));
		b.start();
		expect(a.paused).toMatch(/Figure 4/);
		a.visible(true);
		expect(workers[0].types().at(-1)).toBe('pause');
		stop();
	});
});

describe('off screen after another figure took over', () => {
	it('does not go on when back, though the worker had not answered the pause yet', () => {
		const { a, b, stop } = twoFigures();
		a.start();
		a.client.run();
		workers[0].emit(metrics(3, true));
		b.start();
		// The page scrolls to figure 4 before the worker answers: figure 2 still says running.
		expect(a.client.status).toBe('running');
		a.visible(false);
		workers[0].emit(metrics(4, false));
		a.visible(true);
		expect(workers[0].types().filter((t) => t === 'run')).toHaveLength(1);
		stop();
	});
});

describe('an action that only configures', () => {
	it('starts the workers without pausing the figure that trains', () => {
		const { a, b, stop } = twoFigures();
		a.start();
		a.client.run();
		workers[0].emit(metrics(5, true));
		expect(b.start(false)).toBe(true);
		expect(workers).toHaveLength(4);
		expect(workers[0].types()).not.toContain('pause');
		expect(a.paused).toBeNull();
		stop();
	});
});

describe('a first Train before the workers are configured', () => {
	const settle = () => vi.advanceTimersByTimeAsync(0);

	it('sends run only once every client is configured', async () => {
		const { a, stop } = twoFigures();
		a.start();
		a.whenReady(() => a.clients.forEach((c) => c.run()));
		expect(a.training).toBe(true);
		workers[0].emit(configured);
		await settle();
		expect(workers[0].types()).not.toContain('run');
		workers[1].emit(configured);
		await settle();
		expect(workers[0].types()).toContain('run');
		expect(workers[1].types()).toContain('run');
		stop();
	});

	it('drops it when another figure starts first, and says so', async () => {
		const { a, b, stop } = twoFigures();
		a.start();
		a.whenReady(() => a.client.run());
		b.start();
		expect(a.paused).toMatch(/Figure 4/);
		workers[0].emit(configured);
		workers[1].emit(configured);
		await settle();
		expect(workers[0].types()).not.toContain('run');
		stop();
	});
});

describe('keys and frame controls', () => {
	/** A figure with controls: its own play, the shell's pause, step and reset. */
	function withControls(actions: Partial<LiveRunModule.LiveActions> = {}) {
		const play = vi.fn();
		const { run } = figure('Figure 4', vi.fn(), { play, ...actions });
		return { run, play, stop: run.mount('') };
	}

	it('has none without actions', () => {
		expect(figure('Figure 2').run.controls).toBeUndefined();
	});

	it('Space plays when stopped and pauses every client when training', () => {
		const { run, play, stop } = withControls();
		const c = run.controls!;
		expect(c.ready).toBe(true);
		expect(c.playing).toBe(false);
		c.toggle();
		expect(play).toHaveBeenCalledTimes(1);
		run.start();
		run.clients.forEach((k) => k.run());
		workers.forEach((w, i) => w.emit(metrics(i + 1, true)));
		expect(c.playing).toBe(true);
		c.toggle();
		expect(play).toHaveBeenCalledTimes(1);
		expect(workers.map((w) => w.types().at(-1))).toEqual(['pause', 'pause']);
		stop();
	});

	it('S starts the workers, steps every client once they are configured, with a snapshot after', async () => {
		const { run, stop } = withControls();
		run.controls!.step!();
		expect(workers).toHaveLength(2);
		expect(workers[0].types()).not.toContain('step');
		workers.forEach((w) => w.emit(configured));
		await vi.advanceTimersByTimeAsync(0);
		expect(workers.map((w) => w.sent.at(-1))).toEqual([
			{ type: 'step', steps: 1 },
			{ type: 'step', steps: 1 }
		]);
		// The snapshot is asked for once the step has been reported, not before.
		workers[0].emit(metrics(1, false));
		expect(workers[0].types().at(-1)).toBe('snapshot');
		expect(workers[1].types().at(-1)).toBe('step');
		stop();
	});

	it('S while training pauses instead of stepping', () => {
		const { run, stop } = withControls();
		run.start();
		run.client.run();
		workers[0].emit(metrics(3, true));
		run.controls!.step!();
		expect(workers[0].types().at(-1)).toBe('pause');
		expect(workers[0].types()).not.toContain('step');
		stop();
	});

	it('R resets every started client, and does nothing before the first action', () => {
		const { run, stop } = withControls();
		run.controls!.reset!();
		expect(workers).toHaveLength(0);
		run.start();
		run.controls!.reset!();
		expect(workers.map((w) => w.types().at(-1))).toEqual(['reset', 'reset']);
		stop();
	});

	it("uses the figure's own step and reset, and leaves out those it turns off", () => {
		const step = vi.fn();
		const a = withControls({ step, reset: false, buttons: { stop: true } });
		a.run.controls!.step!();
		expect(step).toHaveBeenCalledTimes(1);
		expect(a.run.controls!.reset).toBeUndefined();
		expect(a.run.controls!.buttons).toEqual({ stop: true, step: true, reset: false });
		a.stop();
		const b = withControls({ step: false });
		expect(b.run.controls!.step).toBeUndefined();
		expect(b.run.controls!.buttons).toEqual({ stop: false, step: false, reset: true });
		b.stop();
	});

	it('the speed reaches every worker, started now or later', () => {
		const { run, stop } = withControls();
		const speed = run.controls!.speed!;
		expect(speed.options.map((o) => o.value)).toEqual(['normal', 'slow', 'one']);
		speed.set('one');
		expect(speed.value).toBe('one');
		run.start();
		expect(workers.map((w) => w.sent.find((r) => r.type === 'pace'))).toEqual([
			{ type: 'pace', pace: 'one' },
			{ type: 'pace', pace: 'one' }
		]);
		speed.set('warp');
		expect(speed.value).toBe('normal');
		expect(workers[0].sent.at(-1)).toEqual({ type: 'pace', pace: 'normal' });
		stop();
	});
});

describe('a queue off screen', () => {
	it('waits between runs while off screen and goes on with the runs left when back', () => {
		const { a, stop } = twoFigures();
		a.start();
		const runs = ['r1', 'r2', 'r3'].map((id) => ({ id, spec: {}, steps: 10 }) as never);
		a.client.queue(runs);
		expect(a.training).toBe(true);
		a.visible(false);
		expect(workers[0].types().at(-1)).toBe('cancel');
		// The cancelled queue's end, then the first run's result, as the worker would have sent them.
		workers[0].emit({ type: 'queue-done', cancelled: true, completed: 0 });
		expect(a.client.queueRunning).toBe(true);
		a.visible(true);
		const sent = workers[0].sent.at(-1) as { type: string; runs: { id: string }[] };
		expect(sent.type).toBe('queue');
		expect(sent.runs.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
		stop();
	});

	it('stays held when the tab shows while the figure is off screen', () => {
		const { a, stop } = twoFigures();
		a.start();
		a.client.queue([{ id: 'r1', spec: {}, steps: 10 } as never]);
		a.visible(false);
		a.client.tabVisible(false);
		a.client.tabVisible(true);
		expect(workers[0].types().filter((t) => t === 'queue')).toHaveLength(1);
		a.visible(true);
		expect(workers[0].types().filter((t) => t === 'queue')).toHaveLength(2);
		stop();
	});
});
