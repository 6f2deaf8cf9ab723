/**
 * The shell of a live figure: what every figure that trains in a worker shares, written once.
 * A figure keeps only what is its own (its specs, charts, sentences); the shell keeps
 *
 * - its URL parameters, one table (`urlTable.ts`) read on mount and written on every change,
 *   names unchanged so shared links keep working, with the sentences for values it could not use;
 * - the backend choice (the table's `backend` entry, `backendParam(name)`);
 * - its trainer clients, started on the reader's first action (train, step, run, measure), never
 *   on scroll, and disposed with the figure;
 * - pause off screen (the figure's `onvisible`); the tab hidden and pagehide are the client's;
 * - one figure training at a time on a page: `start()` pauses any other that trains, and that
 *   one says so in its notes (a status line, announced);
 * - the common words of its status (`waiting`, `where`);
 * - the keys and frame controls every live figure shares (`controls`, given to `<Figure live>`):
 *   Space starts or pauses (the figure's `play`), S takes one step, R resets, and a speed
 *   (`PACES`: full speed down to one step at a time), from the figure's `actions` or, where it
 *   names none, the shell's own (pause, step and reset every client).
 *
 *   mount() ── read the URL ──▶ v (values), messages        (recorded results show from here)
 *   first action ── start() ──▶ workers start, onstart() configures ── pause the other figure
 *   control change ──▶ change(message?) ── settle, write the URL ──▶ the figure reconfigures
 *   off screen ──▶ pause what trains, hold a queue between runs ── on screen ──▶ go on
 *       (unless another figure took over)
 *   Space · S · R ──▶ controls.toggle / step / reset ──▶ the figure's actions or the shell's
 *   unmount ──▶ dispose(): workers terminated
 *
 * How a figure uses it:
 *
 *   const run = new LiveRun({
 *     label: 'Figure 2',
 *     params: {
 *       setup: choice('spectrum-setup', SETUP_IDS, 'digits-small', 'setup'),
 *       steps: number('spectrum-steps', { min: 10, max: 5000, fallback: (v) => SETUPS[v.setup].steps,
 *                                         integer: true, label: 'number of steps' }),
 *       backend: backendParam('spectrum-backend')
 *     },
 *     onstart: () => run.client.configure(spec())
 *   });
 *   onMount(() => run.mount());
 *   <Figure onvisible={run.visible} live={run.controls}> … <SelectField bind:value={run.v.setup} onchange={() => { run.change(); configure(); }} />
 *   function train() { run.start(); run.whenReady(() => run.client.run()); }
 *   <Notes messages={[...run.notes, ...]} />
 *
 * Also: entries that read earlier values (`(v) => …`) need the values' type named,
 * `new LiveRun<Values>(…)`; `clients: 2` runs two workers side by side (`run.clients`);
 * `resume: (c) => c.resumeLadder()` for a ladder; `start(false)` for an action that only
 * configures (a setting the trainer counts), which leaves other figures training; `save()`
 * writes the URL without touching the messages (a slider drag); `actions: { play: train,
 * reset, step: false }` for keys and buttons that must do the figure's own thing (a queue has no
 * step; `speed: false` where no run is paced). Examples: lessons/02's LadderFigure (one client, a
 * ladder), lessons/04's SpectrumLab and RankSlider (two clients), RankAgreement (a queue).
 */
import { untrack } from 'svelte';
import { assets } from '$app/paths';
import { BACKEND_CHOICES, type BackendOption } from './choices';
import { TrainerClient } from './client.svelte';
import { PACES, type Pace } from '$lib/trainer/protocol';
import type { LiveControls } from '$lib/ui/liveControls';
import { writeParams } from '$lib/ui/urlState';
import {
	choice,
	readTable,
	settleTable,
	tableDefaults,
	tableUpdates,
	type Param,
	type ParamTable
} from '$lib/ui/urlTable';

/** The backend choice as a table entry: `auto` unless the URL names another. */
export function backendParam<V>(name: string): Param<BackendOption, V> {
	return choice<BackendOption, V>(name, BACKEND_CHOICES, 'auto', 'backend');
}

/** What a figure tells its shell. */
export interface LiveRunOptions<V> {
	/** The figure's name in messages ("Figure 4"). */
	label: string;
	/** The figure's URL parameters, in reading order; a `backend` entry is the backend choice. */
	params: ParamTable<V>;
	/** How many trainer clients (workers) the figure runs side by side (default 1). */
	clients?: number;
	/** Called once the workers have started, to configure them. */
	onstart?: () => void;
	/** Go on with a client paused off screen (default `run()`; a ladder's is `resumeLadder()`). */
	resume?: (client: TrainerClient) => void;
	/** What Space, S, R and the frame's buttons do; without it the figure has no keys. */
	actions?: LiveActions;
	/** Whether the frame offers a speed control (default true; false for a queue of whole runs). */
	speed?: boolean;
}

/** A figure's own play, pause, step and reset; the shell's stand in for those left out. */
export interface LiveActions {
	/** Start or go on training: the figure's Train. */
	play: () => void;
	/** Pause (default: pause every client and stop a queue). */
	pause?: () => void;
	/** One step (default: every client steps once); false: none (a queue, a ladder). */
	step?: (() => void) | false;
	/** Back to the start (default: every started client resets); false: none. */
	reset?: (() => void) | false;
	/** Which of stop, step and reset the frame adds as buttons (default step and reset). */
	buttons?: Partial<LiveControls['buttons']>;
}

/** The speed control's choices, from the worker's paces. */
const SPEEDS = (Object.keys(PACES) as Pace[]).map((p) => ({ value: p, label: PACES[p].label }));

/** Every mounted shell on the page, for one-at-a-time training (not state: nothing renders it). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const mounted = new Set<{ yieldTo(label: string): void }>();

/** A live figure's shell; see the comment at the top of this file. */
export class LiveRun<V extends object> {
	/** The figure's settings, bound to its controls. */
	v: V;
	/** Sentences about URL values or input that could not be used as given. */
	messages = $state<string[]>([]);
	/** Set when another figure's start paused this one. */
	paused = $state<string | null>(null);
	/** Whether the workers have started (the reader's first action came). */
	started = $state(false);
	/**
	 * Whether the figure has mounted in the browser: its first-action buttons stay disabled until
	 * then, since a click on the prerendered page before hydration would be lost.
	 */
	mounted = $state(false);
	readonly clients: TrainerClient[];
	readonly label: string;

	private readonly opts: LiveRunOptions<V>;
	/** The defaults as they were after the last change, so a changed value's dependants follow. */
	private defaults: V;
	/** Clients paused because the figure left the screen. */
	private offScreen: TrainerClient[] = [];
	/** Clients whose queue waits between runs because the figure left the screen. */
	private heldQueues: TrainerClient[] = [];
	/** How fast runs go (`PACES`), chosen with the frame's speed control. */
	speed = $state<Pace>('normal');
	/** What the figure's frame and keys use (see `LiveControls`); undefined without `actions`. */
	readonly controls: LiveControls | undefined;
	/** What the reader asked for before the workers were configured (see `whenReady`). */
	private pending = $state.raw<(() => void) | null>(null);
	private unwatch: (() => void) | undefined;

	constructor(opts: LiveRunOptions<V>) {
		this.opts = opts;
		this.label = opts.label;
		const { values } = readTable(opts.params, '');
		this.v = $state(values);
		this.defaults = tableDefaults(opts.params, values);
		this.clients = Array.from({ length: opts.clients ?? 1 }, () => new TrainerClient());
		this.controls = opts.actions && this.makeControls(opts.actions, opts.speed ?? true);
	}

	/** The frame's controls from the figure's actions, the shell's standing in for those left out. */
	private makeControls(a: LiveActions, paced: boolean): LiveControls {
		// eslint-disable-next-line @typescript-eslint/no-this-alias -- read by the getters below
		const run = this;
		const step = a.step === false ? undefined : (a.step ?? (() => this.stepOnce()));
		const reset = a.reset === false ? undefined : (a.reset ?? (() => this.resetAll()));
		return {
			get playing() {
				return run.training;
			},
			get ready() {
				return run.mounted;
			},
			toggle: () => (this.training ? (a.pause ?? (() => this.pauseAll()))() : a.play()),
			step: step && (() => (this.training ? this.pauseAll() : step())),
			reset: reset && (() => this.started && reset()),
			buttons: {
				stop: a.buttons?.stop ?? false,
				step: !!step && (a.buttons?.step ?? true),
				reset: !!reset && (a.buttons?.reset ?? true)
			},
			speed: paced
				? {
						get value() {
							return run.speed;
						},
						options: SPEEDS,
						set: (value: string) => this.setSpeed(value as Pace)
					}
				: undefined
		};
	}

	/** Train at `pace` from now on (every client, started or not). */
	setSpeed(pace: Pace): void {
		this.speed = Object.hasOwn(PACES, pace) ? pace : 'normal';
		for (const c of this.clients) c.setPace(this.speed);
	}

	/** Pause every client that trains and stop a queue (Space's pause, unless the figure has its own). */
	pauseAll(): void {
		this.pending = null;
		for (const c of this.clients) {
			if (c.queueRunning) c.cancel();
			if (c.status === 'running') c.pause();
		}
	}

	/**
	 * One step on every client (S, unless the figure has its own): the first starts the workers
	 * and, as training, pauses another figure that trains; the step goes once they are configured.
	 */
	stepOnce(): void {
		this.start();
		this.whenReady(() => {
			for (const c of this.clients) c.stepBy(1, true);
		});
	}

	/** Every started client back to its start (R, unless the figure has its own). */
	resetAll(): void {
		this.pending = null;
		if (this.started) for (const c of this.clients) c.reset();
	}

	/** The first (often the only) client. */
	get client(): TrainerClient {
		return this.clients[0];
	}

	/** What the figure's notes show from the shell: URL messages, and why it paused. */
	get notes(): string[] {
		return this.paused ? [...this.messages, this.paused] : this.messages;
	}

	/** Whether any client trains (a run, a ladder or a queue), or is about to (`whenReady`). */
	get training(): boolean {
		return !!this.pending || this.clients.some((c) => c.status === 'running' || c.queueRunning);
	}

	/**
	 * Do `action` (send `run`) now if every client is configured, else as soon as they are: a
	 * worker still loading its first configuration would start a run sent now even if a pause
	 * came after it. Another figure's start drops it, as it pauses a run.
	 */
	whenReady(action: () => void): void {
		if (this.clients.every((c) => c.configured)) {
			action();
			return;
		}
		this.pending = action;
		this.unwatch ??= $effect.root(() => {
			$effect(() => {
				const go = this.pending;
				if (!go || !this.clients.every((c) => c.configured)) return;
				this.pending = null;
				untrack(go);
			});
		});
	}

	/** The words for a client still starting ('Starting the trainer…', 'Loading …'), or null. */
	get waiting(): string | null {
		const c = this.client;
		if (!this.started) return null;
		if (c.status === 'starting') return 'Starting the trainer…';
		if (c.status === 'loading') return `Loading ${c.progress?.what ?? 'the model'}…`;
		return null;
	}

	/** ' on wasm' once the first client has a backend, else ''. */
	get where(): string {
		return this.client.backend ? ` on ${this.client.backend}` : '';
	}

	/** Read the URL into `v` (in the browser, on mount); returns the teardown for `onMount`. */
	mount(search: string = location.search): () => void {
		const { values, messages } = readTable(this.opts.params, search);
		Object.assign(this.v, values);
		this.defaults = tableDefaults(this.opts.params, this.v);
		this.messages = messages;
		mounted.add(this);
		this.mounted = true;
		return () => this.dispose();
	}

	/**
	 * A control changed `v`: make the other values valid again (a matrix the new task lacks, a
	 * default that follows the task), show `message` (or clear the messages) and write the URL.
	 */
	change(message?: string): void {
		settleTable(this.opts.params, this.v, this.defaults);
		this.defaults = tableDefaults(this.opts.params, this.v);
		this.messages = message ? [message] : [];
		this.save();
	}

	/** Write every value into the URL (defaults left out). */
	save(): void {
		const { updates, defaults } = tableUpdates(this.opts.params, this.v);
		writeParams(updates, defaults);
	}

	/** The backend choice changed: write it, and move the started workers there. */
	setBackend(): void {
		this.save();
		if (!this.started) return;
		for (const c of this.clients) c.setBackend(this.backend);
	}

	private get backend(): BackendOption {
		return (this.v as { backend?: BackendOption }).backend ?? 'auto';
	}

	/**
	 * The reader's first action (and every later one that trains): start the workers if they
	 * have not started (then `onstart` configures them), and pause any other figure training.
	 * @param train false for an action that only configures (a setting the trainer counts): the
	 *   workers start, and other figures go on training
	 * @returns whether the workers started now
	 */
	start(train = true): boolean {
		if (train) {
			for (const other of mounted) if (other !== this) other.yieldTo(this.label);
			this.paused = null;
		}
		if (this.started) return false;
		this.started = true;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, never state
		const base = new URL(`${assets}/`, location.href).href;
		for (const c of this.clients) c.start(this.backend, base);
		this.opts.onstart?.();
		return true;
	}

	/** Another figure started (its shell calls this): pause what trains here, and say why. */
	yieldTo(label: string): void {
		if (!this.training && !this.offScreen.length && !this.heldQueues.length) return;
		this.offScreen = [];
		this.heldQueues = [];
		this.pauseAll();
		this.paused = `Paused: ${label} started training, and one figure trains at a time. Press its button here to go on.`;
	}

	/** The figure entered or left the screen: pause what trains, and go on when it is back. */
	visible = (on: boolean): void => {
		// Another figure took over: what it paused stays paused until the reader goes on here
		// (a client may still say `running` until the worker answers the pause).
		if (this.paused) {
			this.offScreen = [];
			this.heldQueues = [];
			return;
		}
		if (!on) {
			const running = this.clients.filter((c) => c.status === 'running');
			for (const c of running) c.pause();
			this.offScreen.push(...running);
			this.heldQueues.push(...this.clients.filter((c) => c.holdQueue()));
			return;
		}
		const back = this.offScreen;
		this.offScreen = [];
		const resume = this.opts.resume ?? ((c: TrainerClient) => c.run());
		for (const c of back) resume(c);
		const queues = this.heldQueues;
		this.heldQueues = [];
		for (const c of queues) c.releaseQueue();
	};

	/** Terminate the workers and leave the page's list. */
	dispose(): void {
		mounted.delete(this);
		this.offScreen = [];
		this.heldQueues = [];
		this.pending = null;
		this.unwatch?.();
		this.unwatch = undefined;
		if (this.started) for (const c of this.clients) c.dispose();
		this.started = false;
	}
}
