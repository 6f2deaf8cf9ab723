/**
 * Lesson 3's table of methods ("Every bar in the calculator"), its Predict box and its exercises:
 * every count, share and memory figure they print is recomputed here from the memory model, so
 * a change to `memory.ts` or to the prose that breaks the agreement fails this test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	MODEL_PRESETS,
	NF4_BYTES_PER_PARAM,
	QLORA_DEFAULTS,
	SETUP_DEFAULTS,
	countParameters,
	estimateTrainingMemory,
	methodParameters,
	type Method
} from '$lib/math/memory';
import {
	METHOD_NAMES,
	formatBytes,
	formatCount,
	formatPercent
} from '../../../lessons/03-what-fine-tuning-costs/units';

const prose = readFileSync('lessons/03-what-fine-tuning-costs/index.svx', 'utf8');
const llama = MODEL_PRESETS['llama-2-7b'];
const bert = MODEL_PRESETS['bert-base'];
const int = (n: number) => n.toLocaleString('en-US');

/** The table's rows: cells split on `|`, header and rule dropped. */
function tableRows(): string[][] {
	const start = prose.indexOf('| Method | Trains, and where |');
	expect(start).toBeGreaterThan(0);
	const lines = prose.slice(start).split('\n');
	const rows = lines.slice(
		0,
		lines.findIndex((l) => !l.startsWith('|'))
	);
	return rows.slice(2).map((l) =>
		l
			.split('|')
			.slice(1, -1)
			.map((c) => c.trim())
	);
}

/** Which method a row's first cell names (with its link and citation). */
function methodOf(cell: string): Method {
	const name = cell
		.replace(/\[@[\w-]+\]/g, '')
		.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
		.trim();
	const found = (Object.keys(METHOD_NAMES) as Method[]).find(
		(m) => METHOD_NAMES[m].toLowerCase() === name.toLowerCase()
	);
	if (!found) throw new Error(`no method named ${name}`);
	return found;
}

describe('lesson 3’s table of methods', () => {
	const rows = tableRows();

	it('has one row for every bar of the calculator, in its order', () => {
		expect(rows.map((r) => methodOf(r[0]))).toEqual(Object.keys(METHOD_NAMES));
	});

	it('prints each method’s trainable parameters and share as the memory model counts them', () => {
		for (const row of rows) {
			const method = methodOf(row[0]);
			const [onLlama, onBert] = row[2].split('; ');
			for (const [arch, cell] of [
				[llama, onLlama],
				[bert, onBert]
			] as const) {
				const n = methodParameters(arch, { method }).trainable;
				expect(cell, `${method} on ${arch.name}`).toBe(
					`${formatCount(n)} (${formatPercent(n / countParameters(arch))})`
				);
			}
		}
	});

	it('states the settings the counts use', () => {
		const cell = (m: Method) => rows.find((r) => methodOf(r[0]) === m)![1];
		expect(cell('lora')).toContain(`$r = ${SETUP_DEFAULTS.rank}$`);
		expect(cell('qlora')).toContain(`$r = ${QLORA_DEFAULTS.rank}$`);
		expect(cell('prefix')).toContain(`$p = ${SETUP_DEFAULTS.prefixLength}$`);
		expect(cell('prompt')).toContain(`$p = ${SETUP_DEFAULTS.prefixLength}$`);
		expect(cell('adapter')).toContain(`$m = ${SETUP_DEFAULTS.adapterSize}$`);
		const q = rows.find((r) => methodOf(r[0]) === 'qlora')![3];
		expect(q).toContain(`${NF4_BYTES_PER_PARAM.toFixed(2)} bytes per parameter`);
		// Llama has no bias vectors: BitFit's row says so and counts 0.
		expect(methodParameters(llama, { method: 'bitfit' }).trainable).toBe(0);
	});

	it('quotes the default bars’ range as the calculator draws them', () => {
		const peft = (['lora', 'prefix', 'prompt', 'bitfit', 'ia3', 'adapter'] as const).map(
			(method) => estimateTrainingMemory(llama, { method }).total
		);
		const lo = Math.min(...peft);
		const hi = Math.max(...peft);
		const full = estimateTrainingMemory(llama, { method: 'full' });
		expect(prose).toContain(
			`every parameter-efficient bar but QLoRA's lies between ${(lo / 1e9).toFixed(1)} and ${(hi / 1e9).toFixed(1)} GB: the ${formatBytes(full.weights)} of frozen weights and the ${(full.activations / 1e9).toFixed(1)} GB of activations`
		);
	});
});

describe('lesson 3’s Predict box', () => {
	it('reveals the calculator’s own LoRA and full fine-tuning totals', () => {
		const full = estimateTrainingMemory(llama, { method: 'full' });
		const lora = estimateTrainingMemory(llama, { method: 'lora' });
		expect(prose).toContain(`takes about ${formatBytes(full.total)}. LoRA at rank 8`);
		expect(prose).toContain(
			`trains ${formatPercent(lora.trainableParams / lora.baseParams).slice(0, 4)}% of the parameters`
		);
		expect(prose).toContain(
			`the calculator's LoRA bar is ${formatBytes(lora.total)} against full fine-tuning's ${formatBytes(full.total)}, six and a half times less`
		);
		expect(Math.round((full.total / lora.total) * 2) / 2).toBe(6.5);
		expect(prose).toContain(
			`The ${formatBytes(lora.weights - lora.trainableParams * 2)} of frozen 16-bit weights and the ${(lora.activations / 1e9).toFixed(1)} GB of activations stay`
		);
		expect(prose).toContain("'About 17 GB, six or seven times less'");
	});
});

describe('lesson 3’s exercises', () => {
	it('works exercise 1 (LoRA r = 16 on every matrix) from the memory model', () => {
		const all = {
			method: 'lora',
			rank: 16,
			targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down']
		} as const;
		const n = methodParameters(llama, { ...all, targets: [...all.targets] }).trainable;
		const attn =
			methodParameters(llama, { method: 'lora', rank: 16, targets: ['q'] }).trainable / 32;
		const mlp =
			methodParameters(llama, { method: 'lora', rank: 16, targets: ['up'] }).trainable / 32;
		expect(prose).toContain(
			`$16 \\cdot 8192 = ${attn.toLocaleString('en-US').replace(',', '{,}')}$ each`
		);
		expect(prose).toContain(
			`$16 \\cdot 15104 = ${mlp.toLocaleString('en-US').replace(',', '{,}')}$ each`
		);
		expect(prose).toContain(
			`A layer adds ${int(n / 32)}, and 32 layers ${int(n)}, ${formatPercent(n / countParameters(llama))} of the model`
		);
		const m = estimateTrainingMemory(llama, { ...all, targets: [...all.targets] });
		const states = m.gradients + m.optimizer + n * 2;
		expect(states).toBe(16 * n);
		expect(prose).toContain(`that is ${formatBytes(states)}, beside 13.5 GB of frozen weights`);
	});

	it('works exercise 2 (GPT-2 XL in 24 GB) from the memory model', () => {
		const xl = MODEL_PRESETS['gpt2-xl'];
		const adam = estimateTrainingMemory(xl, { method: 'full', seqLen: 1 });
		const adam8 = estimateTrainingMemory(xl, { method: 'full', seqLen: 1, optimizer: 'adam8bit' });
		expect(prose).toContain(
			`GPT-2 XL (${(countParameters(xl) / 1e9).toFixed(2)} billion parameters)`
		);
		expect(adam.weights + adam.gradients + adam.optimizer).toBe(16 * countParameters(xl));
		expect(adam.total).toBeGreaterThan(24e9);
		expect(prose).toContain(
			`16 bytes per parameter is ${formatBytes(16 * countParameters(xl))} of model state`
		);
		expect((adam8.weights + adam8.gradients + adam8.optimizer) / countParameters(xl)).toBe(10);
		expect(prose).toContain(`one token then needs ${formatBytes(adam8.total)}`);
	});

	it('works exercise 3 (prefix against prompt tuning) from the memory model', () => {
		const prefix = methodParameters(llama, { method: 'prefix' }).trainable;
		const prompt = methodParameters(llama, { method: 'prompt' }).trainable;
		expect(prefix / prompt).toBe(2 * llama.nLayers);
		expect(prose).toContain(
			`Prefix tuning, ${prefix / prompt} times more: ${int(prefix)} against ${int(prompt)}`
		);
	});
});
