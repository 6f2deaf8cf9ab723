/**
 * Record the scaling ladder that lesson 2 shows before a reader runs it live: the default ladder
 * (src/lib/trainer/worker/ladder.ts) trained in Node on tfjs's WebAssembly backend, the backend the
 * browser picks on a machine without a GPU, written to src/lib/data/scalingLadder.json with the
 * spec, the backend, the date and the fitted power law. Run: `npx vite-node scripts/ladder.ts`.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { fitPowerLaw } from '../src/lib/math/scaling';
import { parseDigits } from '../src/lib/model/data/digits';
import { DEFAULT_LADDER } from '../src/lib/trainer/ladderSpec';
import { Ladder } from '../src/lib/trainer/worker/ladder';
import { digitsTask } from '../src/lib/trainer/worker/tasks';

const OUT = 'src/lib/data/scalingLadder.json';

setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
await tf.setBackend('wasm');
const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const spec = { ...DEFAULT_LADDER, widths: [...DEFAULT_LADDER.widths] };
const ladder = new Ladder(digitsTask(digits, 'pretrain', undefined, spec.seed), spec);
const t0 = performance.now();
while (!ladder.done) {
	const rung = await ladder.advance(100);
	if (rung) console.log(`width ${rung.width}: ${rung.params} parameters, loss ${rung.testLoss}`);
}
const seconds = (performance.now() - t0) / 1000;
const rungs = ladder.results.map((r) => ({ ...r, seconds: Number(r.seconds.toFixed(3)) }));
const fit = fitPowerLaw(
	rungs.map((r) => r.params),
	rungs.map((r) => r.testLoss)
);
const record = {
	recorded: new Date().toISOString().slice(0, 10),
	where: `Node ${process.version}, tfjs ${tf.version_core}, ${tf.getBackend()} backend`,
	backend: tf.getBackend(),
	task: 'digits, all ten classes (1,438 train, 359 held out)',
	spec,
	seconds: Number(seconds.toFixed(2)),
	rungs,
	fit
};
const options = { ...(await resolveConfig(OUT)), parser: 'json' };
writeFileSync(OUT, await format(JSON.stringify(record), options));
console.log(
	`${OUT}: ${seconds.toFixed(1)} s, exponent ${fit.b.toFixed(3)}, R² ${fit.r2.toFixed(4)}`
);
