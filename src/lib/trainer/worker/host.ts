/**
 * The worker's side of the protocol, kept free of `self` so it runs (and is tested) in Node too.
 * It chooses a backend, loads the base model and the task, and drives one job at a time in chunks
 * sized to take a few tens of milliseconds, so pause, snapshot and cancel requests are answered
 * quickly. A job is a run (the configured model training until paused or `maxSteps`, with
 * metrics, accuracy and ΔW snapshots), a queue (runs trained and measured one after another by
 * `experiments.ts`, each reported as it ends) or a scaling ladder. All three go through the same
 * loop (`work`) and, when a backend fails or its GPU device is lost, the same move to the next
 * backend (`fallBack`); what differs is in the job: its chunk, how it ends, which failures are
 * its own, what it frees and how it resumes. A run and a ladder follow the reader's pace
 * (`PACES`: one step a chunk with a rest between, for watching one step at a time).
 *
 *   request ──▶ drive(job) ──▶ work: chunk … chunk ──▶ finish
 *                                   └─ backend failed ──▶ fallBack: drop ─▶ moveOn ─▶ resume
 */
import * as tf from '@tensorflow/tfjs-core';
import { singularValues } from '$lib/math/svd';
import { decodeText, encodePrompt, TEXT_VOCAB_SIZE } from '$lib/model/data/text';
import { MAX_TEMPERATURE, TextSampler } from '$lib/model/generate';
import { sizeOf } from '$lib/model/params';
import { checkLadder } from '../ladderSpec';
import { PACES } from '../protocol';
import type {
	BackendName,
	LadderSpec,
	Pace,
	QueuedRun,
	RunSpec,
	TrainerEvent,
	TrainerRequest
} from '../protocol';
import {
	chooseBackend,
	activate,
	backendLabel,
	fallbackOrder,
	fastest,
	warmupReason,
	type BackendDecision
} from './backends';
import { nextChunkSize } from './chunks';
import { checkQueuedRun, prepareQueued, runQueued } from './experiments';
import { Ladder } from './ladder';
import { RunSources, type Loaders } from './sources';
import { digitsTask } from './tasks';
import { DivergenceError, Trainer, type Checkpoint } from './trainer';
import { warmupProbe } from './warmup';

/** Sends an event, transferring the listed buffers. */
export type Post = (event: TrainerEvent, transfer?: Transferable[]) => void;

const EVAL_EVERY_MS = 400;
const CHECKPOINT_EVERY_MS = 3000;
/** Queue progress is posted at most this often (the last chunk of a run always). */
const QUEUE_PROGRESS_EVERY_MS = 50;

/** A queue in progress: its runs and the index of the next one to run. */
interface QueueState {
	runs: QueuedRun[];
	next: number;
}

/**
 * Work the host drives, one at a time: the configured run, a queue or a ladder. `work` calls
 * `chunk` until it says there is nothing left or the job is stopped; a failure that is not the
 * job's `own` is the backend's, and `fallBack` moves the job to the next one.
 */
interface Job {
	/** What fails when no backend can take the job ("the run"). */
	readonly noun: string;
	/** Whether the reader's pace (`PACES`) sets its chunks and the rest between them. */
	readonly paced?: boolean;
	/** Do the next piece of work; resolves true, having done nothing, once there is none left. */
	chunk(): Promise<boolean>;
	/** The loop ended without failing: the job is done, or was stopped between chunks. */
	finish?(): Promise<void>;
	/** Handle a failure of the job's own (divergence, bad input) and say so; false: the backend's. */
	own(e: unknown): boolean;
	/** After the loop, however it ended. */
	after?(): void;
	/** Free what the failed backend holds and say where the work will go on ("step 120"). */
	drop(): string;
	/** Go on after the move to a backend that works. */
	resume(): Promise<void>;
}

/** One worker's state: a backend, at most one configured run, and the job in progress. */
export class TrainerHost {
	private decision?: BackendDecision;
	private sources?: RunSources;
	private trainer?: Trainer;
	private spec?: RunSpec;
	private watch = '';
	private wantSnapshot = false;
	/** A Generate request waiting for the chunk in progress to end. */
	private wantSample?: Extract<TrainerRequest, { type: 'generate' }>;
	private lastEval = 0;
	/** Milliseconds between evaluations while training: at least `EVAL_EVERY_MS`. */
	private evalGap = EVAL_EVERY_MS;
	private lastCheckpointAt = 0;
	private lastCheckpoint?: Checkpoint;
	private ladder?: Ladder;
	private queue?: QueueState;
	/** Whether a job is in progress: set by `drive`, cleared to stop it between chunks. */
	private running = false;
	/** The loop of the job in progress (or of the last one). */
	private loop?: Promise<void>;
	/** Steps per chunk, shared by every job: each chunk's time sets the next one's size. */
	private chunkSize = 1;
	/** The reader's pace for runs and ladders (`PACES`). */
	private pace: Pace = 'normal';
	/** Ends the rest between two paced chunks early (a pause, a new pace). */
	private wake?: () => void;
	/** Set while a backend change stops the job: a queue then waits and resumes. */
	private holdQueue = false;
	private deviceLost?: Promise<never>;
	/** Why the WebGPU device went away, once it has. */
	private lostWhy?: string;
	private readonly t0 = performance.now();

	/**
	 * @param quickStart with an automatic choice and nothing remembered, start on WebAssembly at
	 *   once and let the caller measure the other backends elsewhere (`pendingWarmup`, then
	 *   `settleWarmup`), instead of warming up each backend here before the first step
	 */
	constructor(
		private readonly post: Post,
		private readonly makeLoaders: (assets: string) => Loaders,
		private readonly quickStart = false
	) {}

	/** Backends a warm-up elsewhere should measure, when the run started without one. */
	get pendingWarmup(): BackendName[] | undefined {
		return this.decision?.pending;
	}

	/**
	 * Adopt the result of a warm-up run elsewhere: keep the backend (with the warm-up as its
	 * reason, which the page remembers) or move the run, from its checkpoint, to a faster one.
	 */
	async settleWarmup(timings: Partial<Record<BackendName, number>>): Promise<void> {
		const current = this.decision;
		if (!current?.pending) return;
		const best = fastest(timings);
		if (!best) {
			const reason = 'WebAssembly: the warm-up of the other backends could not run here.';
			return this.useBackend({ ...current, reason, pending: undefined });
		}
		const [name, ms] = best;
		const decision: BackendDecision = {
			backend: name,
			reason: warmupReason(name, ms, current.gpu),
			gpu: current.gpu,
			timings
		};
		if (name === current.backend) return this.useBackend(decision);
		await this.moveRun(async () => {
			if (await activate(name)) return this.useBackend(decision);
			await activate(current.backend);
			await this.useBackend({ ...current, pending: undefined });
		});
	}

	/** Handle one request; errors become `error` events, never exceptions. */
	async handle(req: TrainerRequest): Promise<void> {
		try {
			switch (req.type) {
				case 'init':
					this.sources = new RunSources(this.makeLoaders(req.assets), (what, loaded, total) =>
						this.post({ type: 'progress', what, loaded, total })
					);
					await this.useBackend(
						await chooseBackend(req.backend, warmupProbe, req.remembered, this.quickStart)
					);
					return;
				case 'backend': {
					// Chosen (and warmed up) while the run goes on; only then is it moved.
					const decision = await chooseBackend(req.backend, warmupProbe);
					await this.moveRun(() => this.useBackend(decision));
					return;
				}
				case 'configure':
					await this.configure(req.spec);
					return;
				case 'run':
					this.start();
					return;
				case 'pause':
				case 'cancel':
					await this.stop();
					return;
				case 'step':
					if (this.running || !this.trainer) return;
					await this.stepWhilePaused(Math.max(1, Math.min(10_000, Math.floor(req.steps))));
					return;
				case 'reset':
					await this.stopRun();
					this.trainer?.reset();
					this.lastCheckpoint = undefined;
					this.sendConfigured();
					await this.evaluate();
					return;
				case 'snapshot':
					this.wantSnapshot = true;
					if (!this.running || this.queue) await this.sendSnapshot();
					return;
				case 'dispose':
					await this.stop();
					this.trainer?.dispose();
					this.trainer = undefined;
					this.ladder?.dispose();
					this.ladder = undefined;
					return;
				case 'ladder':
					await this.startLadder(req.spec);
					return;
				case 'queue':
					await this.startQueue(req.runs);
					return;
				case 'base':
					this.sendBase(req.layer);
					return;
				case 'generate':
					this.wantSample = req;
					if (!this.running) await this.sendSample();
					return;
				case 'pace':
					this.pace = Object.hasOwn(PACES, req.pace) ? req.pace : 'normal';
					this.wake?.();
					return;
			}
		} catch (e) {
			this.fail(e);
		}
	}

	private fail(e: unknown) {
		const message = e instanceof Error ? e.message : String(e);
		const kind =
			e instanceof DivergenceError ? 'divergence' : e instanceof RangeError ? 'input' : 'load';
		this.post({ type: 'error', kind, message });
	}

	// ── Jobs: one loop, one way to the next backend ─────────────────────────────────────────────

	/** Start `job` (nothing else may be running). */
	private drive(job: Job): void {
		this.running = true;
		this.loop = this.work(job);
	}

	/**
	 * Chunk after chunk, letting requests in between, until the job is done or `running` turns
	 * false; then finish it. A failure of the backend moves the job on once this loop has
	 * returned (the move stops the job and waits for this loop).
	 */
	private async work(job: Job): Promise<void> {
		try {
			while (this.running && !(await job.chunk())) {
				// Let pause, snapshot, cancel and dispose requests in; rest as long as the pace says.
				await this.rest(job.paced ? PACES[this.pace].gapMs : 0);
			}
			this.running = false;
			await job.finish?.();
		} catch (e) {
			this.running = false;
			if (!job.own(e)) setTimeout(() => void this.fallBack(e, job), 0);
		} finally {
			this.running = false;
			job.after?.();
		}
	}

	/** Wait `ms` (at least a task, so requests come in), or until `wake` is called. */
	private rest(ms: number): Promise<void> {
		return new Promise((done) => {
			const timer = setTimeout(finish, ms);
			function finish() {
				clearTimeout(timer);
				done();
			}
			this.wake = finish;
		});
	}

	/** Steps in the next chunk: the pace's, or the adaptive size when it has none. */
	private get paceSteps(): number {
		return PACES[this.pace].steps ?? this.chunkSize;
	}

	/** Let the next chunk's size follow this one's time, unless the pace fixes it. */
	private timed(steps: number, ms: number): void {
		if (PACES[this.pace].steps === null) this.chunkSize = nextChunkSize(steps, ms);
	}

	/**
	 * The backend failed under `job`: free what it held, move to the next backend that starts
	 * and resume the job there (a queue left waiting goes on too); or say none could.
	 */
	private async fallBack(e: unknown, job: Job): Promise<void> {
		const failed = this.decision!.backend;
		this.running = false;
		// Name a lost device rather than the symptom that showed first.
		const why = (await this.lostReason()) ?? (e instanceof Error ? e.message : String(e));
		const from = job.drop();
		this.holdQueue = true;
		let moved: boolean;
		try {
			moved = await this.moveOn(failed, why, from);
			if (moved) await job.resume();
		} finally {
			this.holdQueue = false;
		}
		if (moved) return this.resumeQueue();
		this.endQueue(true);
		this.post({ type: 'error', kind: 'backend', message: `no backend could continue ${job.noun}` });
	}

	/**
	 * Activate the first backend after `failed` that starts, tell the page what failed and where
	 * the work goes on (`from`), and make it the worker's backend. Resolves false when none starts.
	 */
	private async moveOn(failed: BackendName, why: string, from: string): Promise<boolean> {
		for (const next of fallbackOrder(failed, this.decision!.timings)) {
			if (!(await activate(next))) continue;
			this.post({
				type: 'fallback',
				from: failed,
				to: next,
				message: `${backendLabel(failed)} failed (${why}); continuing on ${backendLabel(next)} from ${from}.`
			});
			await this.useBackend({
				...this.decision!,
				backend: next,
				reason: `Fell back from ${backendLabel(failed)}.`
			});
			return true;
		}
		return false;
	}

	/**
	 * Stop the job in progress (a run, a ladder or a queue) and wait for it. A queue ends,
	 * cancelled, unless a backend change holds it to resume afterwards.
	 */
	private async stop(): Promise<void> {
		this.running = false;
		this.wake?.();
		await this.loop;
		if (!this.holdQueue) this.endQueue(true);
	}

	/**
	 * Stop the run or ladder in progress and wait for it; a queue goes on, as it trains runs of
	 * its own (so a page may configure a run, for its base weights say, while a queue works).
	 */
	private async stopRun(): Promise<void> {
		if (!this.queue) await this.stop();
	}

	// ── The configured run ───────────────────────────────────────────────────────────────────────

	/**
	 * The configured run as a job. Its failures other than divergence move it, from its last
	 * checkpoint, to the next backend, running again if `restart`. A queue and a step taken while
	 * paused use the same `drop` and `resume` without the restart: their failure also takes the
	 * configured run's trainer down.
	 */
	private runJob(restart: boolean): Job {
		return {
			noun: 'the run',
			paced: true,
			chunk: () => this.runChunk(),
			finish: () => this.guard(this.evaluate()),
			own: (e) => {
				if (!(e instanceof DivergenceError)) return false;
				this.fail(e);
				return true;
			},
			drop: () => {
				try {
					this.trainer?.dispose();
				} catch {
					/* the failed backend may not be able to free its memory */
				}
				this.trainer = undefined;
				return this.queue
					? `the start of queued run ${this.queue.next + 1}`
					: `step ${this.lastCheckpoint?.step ?? 0}`;
			},
			resume: async () => {
				if (this.spec) await this.configure(this.spec, this.lastCheckpoint);
				if (restart) this.start();
			}
		};
	}

	private start() {
		if (this.running || !this.trainer) return;
		this.drive(this.runJob(true));
	}

	/**
	 * One chunk of the run, then what is due: an evaluation every `evalGap` ms, a snapshot or a
	 * sample when asked for, a checkpoint every few seconds. True when the run has reached its
	 * `maxSteps` (or has no trainer).
	 */
	private async runChunk(): Promise<boolean> {
		if (!this.trainer) return true;
		const max = this.spec?.maxSteps;
		const left = max ? max - this.trainer.step : Infinity;
		if (left <= 0) return true;
		const t0 = performance.now();
		const steps = Math.min(this.paceSteps, left);
		await this.trainSteps(steps);
		this.timed(steps, performance.now() - t0);
		const now = performance.now();
		if (now - this.lastEval > this.evalGap) await this.guard(this.evaluate());
		if (this.wantSnapshot) await this.guard(this.sendSnapshot());
		if (this.wantSample) await this.guard(this.sendSample());
		if (now - this.lastCheckpointAt > CHECKPOINT_EVERY_MS && this.trainer) {
			this.lastCheckpointAt = now;
			this.lastCheckpoint = await this.guard(this.trainer.checkpoint());
		}
		return false;
	}

	/** Run `steps` steps and report them; throws on divergence or a failing backend. */
	private async trainSteps(steps: number): Promise<void> {
		const report = await this.guard(this.trainer!.run(steps));
		this.post({
			type: 'metrics',
			...report,
			running: this.running,
			backend: this.decision!.backend
		});
	}

	/** Steps asked for while paused: failures are handled here, outside any loop. */
	private async stepWhilePaused(steps: number): Promise<void> {
		try {
			await this.trainSteps(steps);
			await this.guard(this.evaluate());
		} catch (e) {
			const job = this.runJob(false);
			if (!job.own(e)) await this.fallBack(e, job);
		}
	}

	private async configure(spec: RunSpec, restore?: Checkpoint): Promise<void> {
		if (!this.decision) throw new Error('configure before init');
		await this.stopRun();
		this.trainer?.dispose();
		this.trainer = undefined;
		this.spec = spec;
		const { config, model, baseName } = await this.sources!.prepare(spec);
		const task = config.task;
		this.trainer = new Trainer(config);
		this.watch =
			spec.watch && model.linears.some((l) => l.name === spec.watch)
				? spec.watch
				: model.linears[0].name;
		this.lastCheckpoint = restore;
		// Measuring takes a real step; restoring or resetting afterwards undoes it.
		await this.trainer.measureStep();
		if (restore) this.trainer.restore(restore);
		else this.trainer.reset();
		this.sendConfigured(baseName, task.name);
		await this.evaluate();
	}

	/**
	 * Stop the run, keep its checkpoint and free it; `change` the backend; then rebuild the run
	 * there from the checkpoint, running again if it was (a queue waits and resumes; a ladder
	 * stays paused).
	 */
	private async moveRun(change: () => Promise<void>): Promise<void> {
		const wasRunning = this.running && !this.queue;
		this.holdQueue = true;
		try {
			await this.stop();
			const cp = this.trainer ? await this.trainer.checkpoint() : undefined;
			this.trainer?.dispose();
			this.trainer = undefined;
			await change();
			if (this.spec) {
				await this.configure(this.spec, cp);
				if (wasRunning) this.start();
			}
		} finally {
			this.holdQueue = false;
		}
		this.resumeQueue();
	}

	// ── Queues ───────────────────────────────────────────────────────────────────────────────────

	/**
	 * A queue as a job: a chunk is one whole run, trained and measured by `runQueued` (which
	 * reports its own chunks and lets requests in between them); a stopped run is dropped, and a
	 * resumed queue runs it again. Bad input ends the queue; a failing backend moves it on from
	 * the start of the run it was in.
	 */
	private queueJob(q: QueueState): Job {
		const total = q.runs.length;
		let lastPost = -Infinity;
		const paused = this.runJob(false);
		return {
			noun: paused.noun,
			chunk: async () => {
				if (q.next >= total) return true;
				const index = q.next;
				const run = q.runs[index];
				let ready;
				try {
					ready = await prepareQueued(run, this.sources!);
				} catch (e) {
					this.fail(e);
					this.endQueue(true);
					return true;
				}
				const backend = this.decision!.backend;
				const result = await this.guard(
					runQueued(run, ready, {
						backend,
						stopped: () => !this.running,
						chunk: this.chunkSize,
						onChunk: async ({ step, steps, loss, chunk }) => {
							this.chunkSize = chunk;
							const now = performance.now();
							if (step === steps || now - lastPost >= QUEUE_PROGRESS_EVERY_MS) {
								lastPost = now;
								this.post({
									type: 'queue-progress',
									id: run.id,
									index,
									total,
									step,
									steps,
									loss,
									backend
								});
							}
							// Let cancel, pause and dispose requests in.
							await new Promise((r) => setTimeout(r, 0));
						}
					})
				);
				if (!result) return true;
				this.post({ type: 'queue-result', index, total, result });
				q.next++;
				return false;
			},
			finish: async () => {
				if (q.next === total && this.queue === q) this.endQueue(false);
			},
			own: (e) => {
				if (!(e instanceof RangeError)) return false;
				this.fail(e);
				this.endQueue(true);
				return true;
			},
			drop: paused.drop,
			resume: paused.resume
		};
	}

	/** Start a queue (after stopping whatever ran): its runs in order, each reported as it ends. */
	private async startQueue(runs: QueuedRun[]): Promise<void> {
		if (!this.decision) throw new Error('queue before init');
		await this.stop();
		try {
			if (!Array.isArray(runs)) throw new RangeError('a queue is a list of runs');
			runs.forEach(checkQueuedRun);
		} catch (e) {
			this.fail(e);
			this.post({ type: 'queue-done', cancelled: true, completed: 0 });
			return;
		}
		this.queue = { runs, next: 0 };
		this.resumeQueue();
	}

	/** Run the queue's remaining runs, if a queue is waiting and nothing else runs. */
	private resumeQueue(): void {
		if (!this.queue || this.running) return;
		this.drive(this.queueJob(this.queue));
	}

	/** End the queue (if any) and say so. */
	private endQueue(cancelled: boolean): void {
		const q = this.queue;
		if (!q) return;
		this.queue = undefined;
		this.post({ type: 'queue-done', cancelled, completed: q.next });
	}

	// ── Ladders ──────────────────────────────────────────────────────────────────────────────────

	/**
	 * A ladder as a job, in chunks sized like the run's, reporting progress after each chunk and
	 * when it stops, and each rung as it finishes. When the backend fails, the rung in training is
	 * freed and trained again from its start on the next backend; finished rungs stand (their
	 * inputs are plain arrays, and each rung trains from a seeded start of its own).
	 */
	private ladderJob(ladder: Ladder): Job {
		const progress = () =>
			this.post({
				type: 'ladder',
				done: ladder.stepsDone,
				total: ladder.totalSteps,
				width: ladder.width ?? null,
				running: this.running,
				backend: this.decision!.backend
			});
		return {
			noun: 'the ladder',
			paced: true,
			chunk: async () => {
				if (ladder.done) return true;
				const t0 = performance.now();
				const steps = this.paceSteps;
				const rung = await this.guard(ladder.advance(steps));
				const ms = performance.now() - t0;
				if (rung) this.post({ type: 'rung', backend: this.decision!.backend, ...rung });
				else this.timed(steps, ms);
				progress();
				return false;
			},
			own: (e) => {
				if (!(e instanceof RangeError || e instanceof DivergenceError)) return false;
				ladder.dispose();
				this.fail(e);
				return true;
			},
			after: progress,
			drop: () => {
				try {
					ladder.dispose();
				} catch {
					/* the failed backend may not be able to free its memory */
				}
				return `the start of the rung of width ${ladder.width}`;
			},
			resume: async () => {
				if (this.ladder === ladder && !ladder.done && !this.running)
					this.drive(this.ladderJob(ladder));
			}
		};
	}

	/** Start a new ladder on the digits (`spec`) or resume the paused one (`null`). */
	private async startLadder(spec: LadderSpec | null): Promise<void> {
		if (!this.decision) throw new Error('ladder before init');
		await this.stop();
		if (spec) {
			checkLadder(spec);
			this.ladder?.dispose();
			this.ladder = undefined;
			const digits = await this.sources!.loadDigits();
			this.ladder = new Ladder(digitsTask(digits, 'pretrain', undefined, spec.seed), spec);
		}
		if (!this.ladder || this.ladder.done) return;
		this.drive(this.ladderJob(this.ladder));
	}

	// ── Backends ─────────────────────────────────────────────────────────────────────────────────

	private async useBackend(decision: BackendDecision): Promise<void> {
		this.decision = decision;
		this.watchDevice();
		const { backend, reason, gpu, timings } = decision;
		this.post({
			type: 'ready',
			backend,
			reason,
			gpu,
			timings,
			startMs: performance.now() - this.t0
		});
	}

	/** Reject `deviceLost` when a WebGPU device goes away, so a job stuck on it moves on. */
	private watchDevice() {
		const backend = tf.backend() as unknown as {
			device?: { lost?: Promise<{ reason?: string; message: string }> };
		};
		const lost = tf.getBackend() === 'webgpu' ? backend.device?.lost : undefined;
		this.lostWhy = undefined;
		this.deviceLost = lost
			? lost.then((info) => {
					const why = info.reason && info.reason !== 'unknown' ? info.reason : info.message;
					this.lostWhy = `the GPU device was lost: ${why || 'no reason given'}`;
					throw new BackendLost(this.lostWhy);
				})
			: undefined;
		this.deviceLost?.catch(() => undefined);
	}

	/** `work`, unless the GPU device is lost first: then a rejection instead of a hang. */
	private guard<T>(work: Promise<T>): Promise<T> {
		return this.deviceLost ? Promise.race([work, this.deviceLost]) : work;
	}

	/**
	 * Why the WebGPU device was lost, if it was: a lost device often shows first as some other
	 * failure (a buffer that will never map), so give the loss a moment to be known.
	 */
	private async lostReason(): Promise<string | undefined> {
		if (this.deviceLost && !this.lostWhy)
			await Promise.race([this.deviceLost.catch(() => {}), new Promise((r) => setTimeout(r, 200))]);
		return this.lostWhy;
	}

	// ── What the configured run sends ────────────────────────────────────────────────────────────

	private sendConfigured(base = '', task = '') {
		const t = this.trainer;
		if (!t) return;
		const model = t.config.model;
		this.post({
			type: 'configured',
			base,
			task: task || t.config.task.name,
			layers: model.linears.map(({ name, inDim, outDim }) => ({ name, inDim, outDim })),
			trainableParams: t.parameters.trainableCount(),
			totalParams: model.params.reduce((n, p) => n + sizeOf(p.shape), 0),
			ledger: t.ledger()
		});
	}

	private async evaluate(): Promise<void> {
		const t = this.trainer;
		if (!t) return;
		const t0 = performance.now();
		const e = await t.evaluate();
		this.lastEval = performance.now();
		// A language model's evaluation is costly: keep it to about a fifth of the time.
		this.evalGap = Math.max(EVAL_EVERY_MS, 4 * (this.lastEval - t0));
		this.post({ type: 'evaluation', step: t.step, running: this.running, ...e });
	}

	/** Send W₀ of a layer of the configured run with its singular values (transferred). */
	private sendBase(layer: string): void {
		const t = this.trainer;
		if (!t) throw new RangeError('base weights: configure a run first');
		const spec = t.config.model.linears.find((l) => l.name === layer);
		if (!spec)
			throw new RangeError(
				`base weights: no layer “${layer}”; the model has ${t.config.model.linears.map((l) => l.name).join(', ')}`
			);
		const values = t.parameters.baseWeight(layer);
		const sv = singularValues(values, spec.inDim, spec.outDim);
		this.post(
			{ type: 'base', layer, rows: spec.inDim, cols: spec.outDim, values, singularValues: sv },
			[values.buffer, sv.buffer]
		);
	}

	/**
	 * Answer the waiting Generate request with text from the run's current weights (adapters
	 * merged). Only the English language model writes: its vocabulary is the text's.
	 */
	private async sendSample(): Promise<void> {
		const req = this.wantSample;
		this.wantSample = undefined;
		const t = this.trainer;
		if (!req || !t) return;
		const shape = t.config.model.transformer;
		if (this.spec?.task.kind !== 'english' || !shape || shape.vocab !== TEXT_VOCAB_SIZE)
			throw new RangeError('only the English language model can write text');
		const t0 = performance.now();
		const sampler = new TextSampler(shape, await t.parameters.exportWeights());
		const prompt = encodePrompt(req.prompt);
		const temperature = Number.isFinite(req.temperature)
			? Math.min(MAX_TEMPERATURE, Math.max(0, req.temperature))
			: 1;
		const seed = clampInt(req.seed, 0, 2 ** 32 - 1);
		const ids = sampler.sample({
			// No prompt: start as a document starts, after a newline.
			prompt: prompt.ids.length > 0 ? prompt.ids : Int32Array.of(0),
			length: clampInt(req.length, 1, MAX_SAMPLE_LENGTH),
			temperature,
			seed
		});
		this.post({
			type: 'sample',
			step: t.step,
			prompt: prompt.text,
			dropped: prompt.dropped,
			text: decodeText(ids),
			temperature,
			seed,
			ms: performance.now() - t0
		});
	}

	private async sendSnapshot(): Promise<void> {
		const t = this.trainer;
		if (!t) return;
		this.wantSnapshot = false;
		const spec = t.parameters.linearSpec(this.watch);
		const values = await t.deltaW(this.watch);
		const sv = singularValues(values, spec.inDim, spec.outDim);
		this.post(
			{
				type: 'snapshot',
				step: t.step,
				layer: this.watch,
				rows: spec.inDim,
				cols: spec.outDim,
				values,
				singularValues: sv
			},
			[values.buffer, sv.buffer]
		);
	}
}

/** The GPU device behind the active backend went away. */
class BackendLost extends Error {}

/** Longest text one Generate request writes. */
export const MAX_SAMPLE_LENGTH = 2000;

function clampInt(v: number, lo: number, hi: number): number {
	return Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : lo;
}
