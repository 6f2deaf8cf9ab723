/**
 * The trainer's face on the main thread: it owns one worker, sends typed requests, and keeps
 * what the worker reports in `$state` fields a widget can render directly. ΔW snapshots are
 * requested one at a time, each on the animation frame after the last arrived, so the page
 * draws at most one per frame and never queues stale ones.
 *
 *   new TrainerClient() ─ start(backend, assets) ─▶ worker
 *     configure(spec) · run() · pause() · step(n) · reset() · setBackend(b) · dispose()
 *     setPace(p) (how fast runs and ladders go; kept, and sent again to a fresh worker)
 *     setVisible(v) (pause off screen, resume on screen)
 *     queue(runs) ─▶ queueProgress … queueResults (one per run) … queueDone · cancel()
 *     requestBase(layer) ─▶ baseWeights
 *     generate(request) ─▶ sample (text from the current weights; `generating` until it arrives)
 *
 * Kind to the machine, for every client on the page without a line in any figure:
 *
 *   configure(a) configure(b) configure(c) … ──▶ sends a at once; b, c, … within
 *       CONFIGURE_GAP_MS of each other replace one another, and the last goes when they stop
 *       and the worker has answered a (or at once before any other request, so order is kept)
 *   tab hidden ──▶ a running run or ladder pauses, a queue stops between runs
 *   tab shown  ──▶ what the hiding stopped goes on (a queue with the runs it had not finished);
 *       what the reader paused stays paused
 *   holdQueue() / releaseQueue() ──▶ the same stop and go for a queue whose figure left the
 *       screen and came back (a tab shown meanwhile leaves it held)
 *   pagehide   ──▶ every worker is terminated; pageshow from the back-forward cache starts a
 *       fresh one with the last configuration (the run starts over)
 *   dispose()  ──▶ the worker is told to free its memory and terminated half a second later
 */
import type {
	BackendChoice,
	BackendName,
	GpuProbe,
	LadderSpec,
	LayerInfo,
	LayerMatrix,
	MemoryLedger,
	Pace,
	QueuedResult,
	QueuedRun,
	RememberedChoice,
	RungResult,
	RunSpec,
	TrainerEvent,
	TrainerRequest
} from './protocol';

/** Where a client stands. */
export type ClientStatus =
	'idle' | 'starting' | 'loading' | 'ready' | 'running' | 'paused' | 'diverged' | 'error';

/** One point of a curve. */
export interface LossPoint {
	step: number;
	loss: number;
}

/** One held-out evaluation. */
export interface EvalPoint {
	step: number;
	train: number;
	test: number;
	testLoss: number;
}

const MAX_POINTS = 1500;

/**
 * Configurations closer together than this replace one another, so a slider dragged across
 * ten ranks rebuilds the run once or twice, not ten times.
 */
export const CONFIGURE_GAP_MS = 300;
/**
 * A configuration also waits for the worker to finish the one before (it handles requests in
 * order, so sending it sooner would only queue it there), but no longer than this.
 */
export const CONFIGURE_WAIT_MS = 3000;

/** Clients whose worker is running, for the page-wide duties below (not state: nothing renders them). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const live = new Set<TrainerClient>();
/** Clients whose worker `pagehide` terminated, to start afresh if the page comes back. */
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const frozen = new Set<TrainerClient>();
let listening = false;

/** Whether the page's tab is hidden (never outside a browser). */
const tabHidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';

/** Listen, once per page, for the tab hiding and showing and for the page going away. */
function listen() {
	if (listening || typeof document === 'undefined' || typeof window === 'undefined') return;
	listening = true;
	document.addEventListener('visibilitychange', () => {
		for (const c of live) c.tabVisible(!tabHidden());
	});
	window.addEventListener('pagehide', () => {
		for (const c of [...live]) c.freeze();
	});
	window.addEventListener('pageshow', (e) => {
		if (!e.persisted) return;
		for (const c of [...frozen]) c.thaw();
	});
}

/** How many trainer workers this page has running now (for tests and the curious). */
export function liveWorkers(): number {
	return live.size;
}

/** localStorage key of the last automatic choice made by a warm-up on this device. */
const CHOICE_KEY = 'why-peft:backend';

/** The remembered automatic choice, if storage has a well-formed one. */
function recall(): RememberedChoice | undefined {
	try {
		const v = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null');
		return v && typeof v.backend === 'string' && typeof v.gpu === 'string' ? v : undefined;
	} catch {
		return undefined;
	}
}

/** Remember a warm-up's choice, so the next visit starts without one. */
function remember(choice: RememberedChoice): void {
	try {
		localStorage.setItem(CHOICE_KEY, JSON.stringify(choice));
	} catch {
		/* storage blocked: the next visit warms up again */
	}
}

/** Keep a curve at most MAX_POINTS long by dropping every other old point. */
function append<T>(list: T[], point: T): T[] {
	const next = [...list, point];
	if (next.length <= MAX_POINTS) return next;
	return next.filter((_, i) => i % 2 === 0 || i === next.length - 1);
}

/** Configuration of a run as the worker reported it. */
export interface Configured {
	base: string;
	task: string;
	layers: LayerInfo[];
	trainableParams: number;
	totalParams: number;
}

/** A ΔW snapshot after `step` steps: [rows, cols] row-major, with its singular values. */
export interface Snapshot extends LayerMatrix {
	step: number;
}

/** Where a queue stands: run `index` of `total` (`id`), at `step` of its `steps`. */
export interface QueueProgress {
	id: string;
	index: number;
	total: number;
	step: number;
	steps: number;
}

/** W₀ of a layer, [rows = inDim, cols = outDim] row-major, and its singular values. */
export type BaseWeights = LayerMatrix;

/** Text the language model wrote after `step` steps, as the worker's `sample` event gives it. */
export type Sample = Omit<Extract<TrainerEvent, { type: 'sample' }>, 'type'>;

/** What to write: `length` characters after `prompt`, at `temperature`, from `seed`. */
export type SampleRequest = Omit<Extract<TrainerRequest, { type: 'generate' }>, 'type'>;

/** A trainer worker and the state it reports. */
export class TrainerClient {
	status = $state<ClientStatus>('idle');
	backend = $state<BackendName | null>(null);
	/** Why this backend: "chosen by you", "fastest in a warm-up: …". */
	reason = $state('');
	gpu = $state.raw<GpuProbe | null>(null);
	timings = $state.raw<Partial<Record<BackendName, number>>>({});
	/** Milliseconds from starting the worker to a chosen backend. */
	startMs = $state(0);
	progress = $state.raw<{ what: string; loaded: number; total: number } | null>(null);
	configured = $state.raw<Configured | null>(null);
	ledger = $state.raw<MemoryLedger | null>(null);
	step = $state(0);
	losses = $state.raw<LossPoint[]>([]);
	evals = $state.raw<EvalPoint[]>([]);
	stepsPerSecond = $state(0);
	snapshot = $state.raw<Snapshot | null>(null);
	/** A message the reader should see: a fallback, a divergence, a load failure. */
	message = $state<string | null>(null);
	/** Milliseconds from `start` to the first training step reported. */
	firstStepMs = $state<number | null>(null);

	/** Finished rungs of the scaling ladder, in order. */
	rungs = $state.raw<RungResult[]>([]);
	/** Where the ladder stands: steps done of the total, the width in training. */
	ladder = $state.raw<{ done: number; total: number; width: number | null } | null>(null);

	/** The queued run in training; null before a queue and once it is done. */
	queueProgress = $state.raw<QueueProgress | null>(null);
	/** Results of the current queue, in the order they arrived (reset when a queue starts). */
	queueResults = $state.raw<QueuedResult[]>([]);
	/** Whether a queue is in progress. */
	queueRunning = $state(false);
	/** How the last queue ended; null while one runs or before any. */
	queueDone = $state.raw<{ cancelled: boolean; completed: number } | null>(null);
	/** The last `base` answer: W₀ of a layer of the configured run. */
	baseWeights = $state.raw<BaseWeights | null>(null);
	/** The last text Generate wrote; null before any. */
	sample = $state.raw<Sample | null>(null);
	/** Whether a Generate request waits for its answer. */
	generating = $state(false);

	private worker?: Worker;
	private watching = false;
	/** Replaced queues whose `queue-done` has not arrived yet. */
	private queuesPending = 0;
	private frame = 0;
	private started = 0;
	/** Set when `setVisible(false)` paused a run that `setVisible(true)` should resume. */
	private pausedOffScreen = false;
	/** What the worker was last asked to train: a run, or a ladder. */
	private activity: 'run' | 'ladder' = 'run';
	/** A run or ladder the hidden tab (or a terminated worker) stopped, to go on when shown. */
	private heldRun: 'run' | 'ladder' | null = null;
	/** The runs of the current queue, as asked for. */
	private queueRuns: QueuedRun[] = [];
	/** Runs of a queue the hidden tab stopped: sent again, less those finished, when shown. */
	private heldQueue: QueuedRun[] | null = null;
	/** Results before the part of a queue sent again. */
	private queueOffset = 0;
	/** Set while `holdQueue` holds the queue: showing the tab must not send it again. */
	private queueOffScreen = false;
	/** A configuration waiting out CONFIGURE_GAP_MS, and when the last one went. */
	private pendingSpec: RunSpec | null = null;
	private configureTimer: ReturnType<typeof setTimeout> | undefined;
	private lastConfigure = -Infinity;
	/** Set while the worker has a configuration it has not answered (configured or error). */
	private configuring = false;
	/** Runs out CONFIGURE_WAIT_MS after a configuration went, should its answer not come. */
	private answerTimer: ReturnType<typeof setTimeout> | undefined;
	/** What `start` and the last `configure`/`runLadder` asked for, to start afresh after pagehide. */
	private startArgs: { backend: BackendChoice; assets: string } | null = null;
	private lastSpec: RunSpec | null = null;
	private lastLadder: LadderSpec | null = null;
	/** Set when a fresh worker lost the ladder in progress: going on means starting it again. */
	private ladderLost = false;
	/** The reader's pace, sent to every worker this client starts. */
	private pace: Pace = 'normal';
	/** Set when a step asked for a snapshot after it (see `stepBy`). */
	private snapAfterStep = false;

	/** Start the worker on a backend (`auto` lets the device decide); `assets` is the site's asset base URL. */
	start(backend: BackendChoice, assets: string): void {
		if (this.worker) return;
		this.startArgs = { backend, assets };
		live.add(this);
		listen();
		this.started = performance.now();
		performance.mark('trainer:start');
		this.status = 'starting';
		// Vite bundles the worker only from this exact `new Worker(new URL(…))` form.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		this.worker = new Worker(new URL('./worker/trainer.worker.ts', import.meta.url), {
			type: 'module'
		});
		this.worker.onmessage = (e: MessageEvent<TrainerEvent>) => this.receive(e.data);
		this.worker.onerror = (e) => {
			this.status = 'error';
			this.message = `The trainer could not start: ${e.message || 'the worker failed to load'}.`;
		};
		this.send({
			type: 'init',
			backend,
			assets,
			remembered: backend === 'auto' ? recall() : undefined
		});
		if (this.pace !== 'normal') this.send({ type: 'pace', pace: this.pace });
	}

	/** Send a request; a configuration still waiting goes first (a snapshot request may overtake it). */
	private send(req: TrainerRequest) {
		if (req.type !== 'snapshot') this.flushConfigure();
		this.worker?.postMessage(req);
	}

	private flushConfigure() {
		clearTimeout(this.configureTimer);
		this.configureTimer = undefined;
		clearTimeout(this.answerTimer);
		const spec = this.pendingSpec;
		this.pendingSpec = null;
		if (!spec) return;
		this.lastConfigure = Date.now();
		this.configuring = true;
		this.answerTimer = setTimeout(() => this.answered(), CONFIGURE_WAIT_MS);
		this.worker?.postMessage({ type: 'configure', spec } satisfies TrainerRequest);
	}

	/** Forget a configuration still waiting, and stop waiting for the worker's answer. */
	private dropConfigure() {
		clearTimeout(this.configureTimer);
		this.configureTimer = undefined;
		this.pendingSpec = null;
		this.answered();
	}

	/** The configurations stopped coming: send the last once the worker has answered the one before. */
	private settled() {
		this.configureTimer = undefined;
		if (!this.configuring) this.flushConfigure();
	}

	/** The worker answered a configuration (or took too long): a settled one waiting goes now. */
	private answered() {
		this.configuring = false;
		clearTimeout(this.answerTimer);
		this.answerTimer = undefined;
		if (this.pendingSpec && this.configureTimer === undefined) this.flushConfigure();
	}

	private receive(ev: TrainerEvent) {
		if (ev.type === 'configured' || ev.type === 'error') this.answered();
		switch (ev.type) {
			case 'ready':
				if (!this.backend) performance.mark('trainer:ready');
				if (Object.keys(ev.timings).length)
					remember({ backend: ev.backend, gpu: ev.gpu.description });
				this.backend = ev.backend;
				this.reason = ev.reason;
				this.gpu = ev.gpu;
				this.timings = ev.timings;
				this.startMs = ev.startMs;
				if (this.status === 'starting') this.status = 'ready';
				break;
			case 'progress':
				this.status = 'loading';
				this.progress = { what: ev.what, loaded: ev.loaded, total: ev.total };
				break;
			case 'configured':
				if (!this.configured) performance.mark('trainer:configured');
				this.progress = null;
				this.configured = {
					base: ev.base || this.configured?.base || '',
					task: ev.task,
					layers: ev.layers,
					trainableParams: ev.trainableParams,
					totalParams: ev.totalParams
				};
				this.ledger = ev.ledger;
				this.step = 0;
				this.losses = [];
				this.evals = [];
				if (this.status !== 'running') this.status = 'paused';
				break;
			case 'metrics':
				if (this.firstStepMs === null) {
					this.firstStepMs = performance.now() - this.started;
					performance.mark('trainer:first-step');
				}
				this.step = ev.step;
				this.backend = ev.backend;
				this.losses = append(this.losses, { step: ev.step, loss: ev.meanLoss });
				if (ev.stepsPerSecond > 0) this.stepsPerSecond = ev.stepsPerSecond;
				this.status = ev.running ? 'running' : 'paused';
				if (this.snapAfterStep && !ev.running) {
					this.snapAfterStep = false;
					this.send({ type: 'snapshot' });
				}
				break;
			case 'evaluation':
				this.evals = append(this.evals, {
					step: ev.step,
					train: ev.trainAccuracy,
					test: ev.testAccuracy,
					testLoss: ev.testLoss
				});
				if (!ev.running && this.status === 'running') this.status = 'paused';
				break;
			case 'snapshot':
				this.snapshot = ev;
				if (this.watching) {
					cancelAnimationFrame(this.frame);
					this.frame = requestAnimationFrame(() => this.send({ type: 'snapshot' }));
				}
				break;
			case 'ledger':
				this.ledger = ev.ledger;
				break;
			case 'ladder':
				this.ladder = { done: ev.done, total: ev.total, width: ev.width };
				this.backend = ev.backend;
				this.status = ev.running ? 'running' : 'paused';
				break;
			case 'rung':
				this.rungs = [
					...this.rungs,
					{
						width: ev.width,
						params: ev.params,
						testLoss: ev.testLoss,
						testAccuracy: ev.testAccuracy,
						trainLoss: ev.trainLoss,
						seconds: ev.seconds
					}
				];
				this.backend = ev.backend;
				break;
			case 'queue-progress':
				this.backend = ev.backend;
				// Events of a queue that a newer one replaced are dropped until its `queue-done`.
				if (this.queuesPending > 0) break;
				this.queueProgress = {
					id: ev.id,
					index: ev.index + this.queueOffset,
					total: Math.max(ev.total + this.queueOffset, this.queueRuns.length),
					step: ev.step,
					steps: ev.steps
				};
				break;
			case 'queue-result':
				if (this.queuesPending > 0) break;
				this.queueResults = [...this.queueResults, ev.result];
				break;
			case 'queue-done':
				if (this.queuesPending > 0) {
					this.queuesPending--;
					break;
				}
				this.queueRunning = false;
				this.queueProgress = null;
				this.queueDone = { cancelled: ev.cancelled, completed: ev.completed + this.queueOffset };
				break;
			case 'base':
				this.baseWeights = {
					layer: ev.layer,
					rows: ev.rows,
					cols: ev.cols,
					values: ev.values,
					singularValues: ev.singularValues
				} satisfies LayerMatrix;
				break;
			case 'sample':
				this.sample = ev;
				this.generating = false;
				break;
			case 'fallback':
				this.backend = ev.to;
				this.message = ev.message;
				break;
			case 'error':
				this.progress = null;
				this.generating = false;
				this.status = ev.kind === 'divergence' ? 'diverged' : 'error';
				this.message = ev.message;
				break;
		}
	}

	/**
	 * Load the base model and task and prepare the method; resets the curves. One within
	 * CONFIGURE_GAP_MS of another replaces it (see the diagram above).
	 */
	configure(spec: RunSpec): void {
		this.message = null;
		this.lastSpec = spec;
		this.pendingSpec = spec;
		const quiet = Date.now() - this.lastConfigure >= CONFIGURE_GAP_MS;
		if (this.configureTimer === undefined && !this.configuring && quiet) {
			this.flushConfigure();
			return;
		}
		clearTimeout(this.configureTimer);
		this.configureTimer = setTimeout(() => this.settled(), CONFIGURE_GAP_MS);
	}

	run(): void {
		if (this.status === 'diverged') return;
		this.activity = 'run';
		if (this.held()) {
			this.heldRun = 'run';
			return;
		}
		this.status = 'running';
		this.send({ type: 'run' });
	}

	/** Whether requests to train must wait: the tab is hidden, or pagehide took the worker. */
	private held(): boolean {
		return tabHidden() || frozen.has(this);
	}

	/** Go on with what was stopped: the run, or the ladder. */
	private resume(what: 'run' | 'ladder'): void {
		if (what === 'ladder') this.resumeLadder();
		else this.run();
	}

	/**
	 * The tab was hidden or shown (the page's listener calls this for every live client): pause
	 * a running run or ladder and stop a queue between chunks when hidden; when shown, go on
	 * with what hiding stopped, and only that.
	 */
	tabVisible(visible: boolean): void {
		if (!visible) {
			if (this.status === 'running' && !this.heldRun) {
				this.heldRun = this.activity;
				this.pause();
			}
			if (this.queueRunning && !this.heldQueue) {
				this.heldQueue = this.queueRuns;
				this.queuesPending++;
				this.send({ type: 'cancel' });
			}
			return;
		}
		const queue = this.queueOffScreen ? null : this.heldQueue;
		if (queue) {
			this.heldQueue = null;
			this.sendQueue(queue);
		}
		const run = this.heldRun;
		this.heldRun = null;
		if (run) this.resume(run);
	}

	/**
	 * Stop the queue in progress between runs while its figure is off screen (as a hidden tab
	 * does); true if there was one to hold. `releaseQueue` sends the runs not finished.
	 */
	holdQueue(): boolean {
		if (!this.queueRunning || this.queueOffScreen) return false;
		this.queueOffScreen = true;
		if (!this.heldQueue) {
			this.heldQueue = this.queueRuns;
			this.queuesPending++;
			this.send({ type: 'cancel' });
		}
		return true;
	}

	/** The figure is back on screen: go on with the held queue (once the tab shows, if hidden). */
	releaseQueue(): void {
		if (!this.queueOffScreen) return;
		this.queueOffScreen = false;
		if (!this.held()) this.tabVisible(true);
	}

	/** Send the runs of `runs` not finished yet, numbered on from those that are. */
	private sendQueue(runs: QueuedRun[]): void {
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
		const done = new Set(this.queueResults.map((r) => r.id));
		const rest = runs.filter((r) => !done.has(r.id));
		this.queueOffset = runs.length - rest.length;
		if (!rest.length) {
			this.queueRunning = false;
			this.queueProgress = null;
			this.queueDone = { cancelled: false, completed: this.queueResults.length };
			return;
		}
		this.send({ type: 'queue', runs: rest });
	}

	/** Terminate the worker at once as the page goes away (pagehide); `thaw` starts a fresh one. */
	freeze(): void {
		if (!this.worker) return;
		cancelAnimationFrame(this.frame);
		this.dropConfigure();
		if (this.status === 'running' && !this.heldRun) this.heldRun = this.activity;
		if (this.queueRunning && !this.heldQueue) this.heldQueue = this.queueRuns;
		this.worker.terminate();
		this.worker = undefined;
		live.delete(this);
		frozen.add(this);
	}

	/**
	 * The page came back from the back-forward cache: start a fresh worker with the last
	 * configuration; a held run or queue goes on once the tab shows (a run from its start).
	 */
	thaw(): void {
		if (!frozen.delete(this) || !this.startArgs) return;
		this.backend = null;
		this.configured = null;
		this.queuesPending = 0;
		this.lastConfigure = -Infinity;
		if (this.ladder && this.ladder.done < this.ladder.total) this.ladderLost = true;
		this.start(this.startArgs.backend, this.startArgs.assets);
		if (this.lastSpec) this.configure(this.lastSpec);
		if (this.watching) this.send({ type: 'snapshot' });
		if (!tabHidden()) this.tabVisible(true);
	}

	pause(): void {
		this.send({ type: 'pause' });
	}

	/**
	 * Pause a running run while its figure is off screen, and go on when it comes back; a run the
	 * reader paused stays paused.
	 */
	setVisible(visible: boolean): void {
		if (!visible && this.status === 'running') {
			this.pausedOffScreen = true;
			this.pause();
		} else if (visible && this.pausedOffScreen) {
			this.pausedOffScreen = false;
			this.resume(this.activity);
		}
	}

	/**
	 * Take `steps` steps while paused; with `snapshot`, ask for a ΔW snapshot once they are done
	 * (a snapshot asked for at once would be taken before them: the worker answers it first).
	 */
	stepBy(steps: number, snapshot = false): void {
		this.snapAfterStep ||= snapshot;
		this.send({ type: 'step', steps });
	}

	/** Back to the base weights with the same seed. */
	reset(): void {
		this.message = null;
		this.status = 'paused';
		this.send({ type: 'reset' });
	}

	/** Train a scaling ladder from scratch; `pause()` stops it and `resumeLadder()` goes on. */
	runLadder(spec: LadderSpec): void {
		this.message = null;
		this.rungs = [];
		this.ladder = { done: 0, total: spec.widths.length * spec.steps, width: spec.widths[0] };
		this.activity = 'ladder';
		this.lastLadder = spec;
		this.ladderLost = false;
		if (this.held()) {
			this.heldRun = 'ladder';
			return;
		}
		this.status = 'running';
		this.send({ type: 'ladder', spec });
	}

	/** Go on with a paused ladder (from its start if a fresh worker lost it). */
	resumeLadder(): void {
		this.activity = 'ladder';
		if (this.held()) {
			this.heldRun = 'ladder';
			return;
		}
		if (this.ladderLost && this.lastLadder) {
			this.runLadder(this.lastLadder);
			return;
		}
		this.status = 'running';
		this.send({ type: 'ladder', spec: null });
	}

	/**
	 * Train and measure `runs` in order in the worker, after stopping anything in progress there
	 * (a run, a ladder, an earlier queue). Results arrive in `queueResults`; `queueDone` says how
	 * it ended.
	 */
	queue(runs: QueuedRun[]): void {
		this.message = null;
		// A queue the hidden tab stopped has already been cancelled in the worker.
		this.queuesPending += this.queueRunning && !this.heldQueue ? 1 : 0;
		this.queueResults = [];
		this.queueProgress = null;
		this.queueDone = null;
		this.queueRunning = true;
		this.queueRuns = $state.snapshot(runs) as QueuedRun[];
		this.queueOffset = 0;
		this.heldQueue = null;
		this.queueOffScreen = false;
		if (this.held()) this.heldQueue = this.queueRuns;
		else this.sendQueue(this.queueRuns);
	}

	/** Stop the queue in progress; `queueDone` then says it was cancelled. */
	cancel(): void {
		if (this.heldQueue) {
			// The worker's part was cancelled when the tab hid (or the figure left the screen).
			this.heldQueue = null;
			this.queueOffScreen = false;
			this.queueRunning = false;
			this.queueProgress = null;
			this.queueDone = { cancelled: true, completed: this.queueResults.length };
			return;
		}
		this.send({ type: 'cancel' });
	}

	/** Ask for W₀ of a layer of the configured run; it arrives in `baseWeights`. */
	requestBase(layer: string): void {
		this.send({ type: 'base', layer });
	}

	/**
	 * Write text with the configured language model's current weights, between training chunks
	 * if it trains; the answer arrives in `sample`.
	 */
	generate(request: SampleRequest): void {
		this.generating = true;
		this.send({ type: 'generate', ...request });
	}

	/** How fast runs and ladders go from now on (`PACES`); kept for a worker not yet started. */
	setPace(pace: Pace): void {
		this.pace = pace;
		this.send({ type: 'pace', pace });
	}

	/** Move the run to another backend, keeping its progress. */
	setBackend(backend: BackendChoice): void {
		this.send({ type: 'backend', backend });
	}

	/** Ask for ΔW snapshots of the watched layer, one per animation frame, until switched off. */
	watchSnapshots(on: boolean): void {
		this.watching = on;
		if (on) this.send({ type: 'snapshot' });
		else cancelAnimationFrame(this.frame);
	}

	/** Stop the worker and free everything: it is terminated half a second later. */
	dispose(): void {
		cancelAnimationFrame(this.frame);
		this.dropConfigure();
		this.heldRun = null;
		this.heldQueue = null;
		frozen.delete(this);
		this.send({ type: 'dispose' });
		const w = this.worker;
		this.worker = undefined;
		setTimeout(() => {
			w?.terminate();
			live.delete(this);
		}, 500);
		this.status = 'idle';
	}
}
