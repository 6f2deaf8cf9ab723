/**
 * Experiments: a queue of fine-tuning runs, each trained for a fixed number of steps and then
 * measured, so a lesson can fill a grid (method × shift → accuracy), compare adapters of two
 * ranks, or sweep an intrinsic dimension. The types live in `protocol.ts` with everything else
 * that crosses to the worker and are named here too, for the pages and scripts that describe
 * queues. The runner is `worker/experiments.ts`; the worker runs a queue in order, reports
 * progress and each result, and stops on `cancel`.
 *
 *   page ── queue (runs) ──▶ worker ── queue-progress … queue-result (one per run) … queue-done
 *        ── cancel ──▶               (the run in progress stops; queue-done says cancelled)
 */
export type { MeasureSpec, QueuedResult, QueuedRun } from './protocol';
