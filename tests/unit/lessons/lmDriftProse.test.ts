/**
 * What lessons 5 and 6 say about the English language model's drift dial, held to the recorded
 * grid (src/lib/data/lmDrift.json) and to the shipped model's manifest: every number the prose
 * quotes is recomputed here from the records, and every ranking it states is checked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import recorded from '$lib/data/lmDrift.json';
import { encodeText } from '$lib/model/data/text';
import {
	BASE_UNSEEN_CHARS,
	LM_DIAL,
	LM_METHODS,
	LM_TRAINING,
	baseCell,
	bestCell,
	gainRecovered,
	type LmCell,
	type LmDriftRecord,
	type LmTarget
} from '$lib/data/lmDrift';

const record = recorded as LmDriftRecord;
const cells = record.cells as LmCell[];
const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));
const lm = manifest.models.englishlm;

/** Two decimals, as the prose and the figure write bits per character. */
const b2 = (v: number) => v.toFixed(2);
const pct = (v: number) => `${Math.round(v * 100)}%`;
const en = (v: number) => v.toLocaleString('en-US');

function base(t: LmTarget): LmCell {
	const c = baseCell(cells, t);
	if (!c) throw new Error(`no base on ${t}`);
	return c;
}
function best(m: string, t: LmTarget): LmCell {
	const c = bestCell(cells, m, t);
	if (!c) throw new Error(`no ${m} on ${t}`);
	return c;
}
function share(m: string, t: LmTarget): number {
	const s = gainRecovered(cells, m, t);
	if (s === null) throw new Error(`no share for ${m} on ${t}`);
	return s;
}
const [near, second, third, latest] = LM_DIAL;
const SMALL = ['lora-1', 'lora-4', 'lora-16', 'head', 'bitfit'];

describe('lesson 5’s prose about the language model’s dial', () => {
	const prose = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');
	const has = (line: string) => expect(prose, line).toContain(line);

	it('describes the shipped model and the dial as measured', () => {
		has(`${en(lm.parameters)} parameters`);
		has(`three blocks of width ${lm.config.dModel}`);
		expect(lm.config.layers).toBe(3);
		has(
			`held-out text at ${b2(lm.language.heldOutBitsPerChar)} bits per character against ${b2(lm.language.baselines.bigram)} for a bigram model`
		);
		has(
			`on its own era the base scores ${b2(base(near).originalBits)} bits per character, on the addresses of 1870–1909 ${b2(base(near).bits)}, then ${b2(base(second).bits)}, ${b2(base(third).bits)} and ${b2(base(latest).bits)} on those of 1990–2021`
		);
		// The dial is a dial: each later era is further from the base.
		const far = LM_DIAL.map((t) => base(t).bits);
		for (let i = 1; i < far.length; i++) expect(far[i]).toBeGreaterThan(far[i - 1]);
	});

	it('states the training and the methods as the plan has them', () => {
		has(`Every run trains ${LM_TRAINING.steps} steps of Adam on batches of eight`);
		expect(LM_TRAINING.batchSize).toBe(8);
		const rates = new Set(LM_METHODS.map((m) => m.lrs.length));
		expect([...rates].sort()).toEqual([4, 5]);
		has(`from four or five tried`);
		const p = (m: string) => en(best(m, latest).trainableParams);
		has(`(${p('lora-1')} to ${p('lora-16')} parameters)`);
		has(
			`head only trains the ${p('head')} parameters of the output layer and BitFit ${p('bitfit')}`
		);
	});

	it('quotes gains, gaps and shares along the dial as recorded', () => {
		const gain = (t: LmTarget) => base(t).bits - best('full', t).bits;
		const gap = (m: string, t: LmTarget) => best(m, t).bits - best('full', t).bits;
		has(
			`from ${b2(gain(near))} bits per character on the nearest era (${b2(base(near).bits)} to ${b2(best('full', near).bits)}) to ${b2(gain(latest))} on the latest (${b2(base(latest).bits)} to ${b2(best('full', latest).bits)})`
		);
		has(
			`trails full fine-tuning by ${b2(gap('lora-16', near))} bits on 1870–1909 and by ${b2(gap('lora-16', latest))} on 1990–2021`
		);
		has(
			`LoRA at rank 16 recovers ${pct(share('lora-16', near))} of it on the nearest era and ${pct(share('lora-16', second))}, ${pct(share('lora-16', third))} and ${pct(share('lora-16', latest))} on the next three`
		);
		const range = (m: string) => {
			const later = LM_DIAL.slice(1).map((t) => Math.round(share(m, t) * 100));
			return `${Math.min(...later)}–${Math.max(...later)}%`;
		};
		has(
			`rank 4 ${pct(share('lora-4', near))} then ${range('lora-4')}, rank 1 ${pct(share('lora-1', near))} then ${range('lora-1')}`
		);
		// "Their shares … do not fall": the nearest era is each LoRA rank's lowest share.
		for (const m of ['lora-1', 'lora-4', 'lora-16'])
			for (const t of LM_DIAL.slice(1))
				expect(share(m, t), `${m} ${t}`).toBeGreaterThan(share(m, near));
		// "the best share any of them reaches is BitFit's 66%, on 1910–1949"
		const all = SMALL.flatMap((m) => LM_DIAL.map((t) => ({ m, t, s: share(m, t) })));
		const top = all.reduce((a, x) => (x.s > a.s ? x : a));
		expect([top.m, top.t]).toEqual(['bitfit', 'sotu-1910-1949']);
		has(`the best share any of them reaches is BitFit's ${pct(top.s)}, on 1910–1949`);
		const left = LM_DIAL.map((t) => 1 - share('lora-16', t));
		has(
			`leaves between ${pct(Math.min(...left))} and ${pct(Math.max(...left))} of the gain on the table`
		);
	});

	it('states the BitFit, head and LoRA ranking and its margins as recorded', () => {
		const margins = LM_DIAL.map((t) => best('lora-16', t).bits - best('bitfit', t).bits);
		for (const m of margins) expect(m).toBeGreaterThan(0);
		has(
			`The margins are small (between ${Math.min(...margins).toFixed(3)} and ${Math.max(...margins).toFixed(3)} bits)`
		);
		// "the head alone is level with it": within 0.025 bits of rank-16 LoRA at every stop.
		for (const t of LM_DIAL)
			expect(Math.abs(best('head', t).bits - best('lora-16', t).bits), t).toBeLessThan(0.025);
	});

	it('quotes forgetting along the dial as recorded', () => {
		const own = base(near).originalBits;
		for (const m of ['full', ...SMALL])
			expect(Math.abs(best(m, near).originalBits - own), m).toBeLessThanOrEqual(0.0105);
		has(`every one ends within 0.01 bits of the base's ${b2(own)} on its own era`);
		const o = (m: string) => b2(best(m, latest).originalBits);
		has(
			`full fine-tuning ends at ${o('full')} bits per character on the 1830–1869 addresses, and LoRA at ${o('lora-1')}, ${o('lora-4')} and ${o('lora-16')} for ranks 1, 4 and 16`
		);
		const forget = ['lora-1', 'lora-4', 'lora-16', 'full'].map((m) => best(m, latest).originalBits);
		const learn = ['lora-1', 'lora-4', 'lora-16', 'full'].map((m) => best(m, latest).bits);
		for (let i = 1; i < 4; i++) {
			expect(forget[i]).toBeGreaterThan(forget[i - 1]);
			expect(learn[i]).toBeLessThan(learn[i - 1]);
		}
		expect(record.baseEra).toBe('sotu-1830-1869');
	});

	it('quotes words the samples really contain', () => {
		for (const w of ['merchants', 'civil confederacy']) expect(base(latest).sample).toContain(w);
		for (const w of ['deployment', 'investment', 'economy'])
			expect(best('full', latest).sample).toContain(w);
		has('nineteenth-century prose of merchants and the civil confederacy');
		has('it writes of deployment, investment and the economy');
	});

	it('closes with the dial’s verdict as recorded', () => {
		has(
			`recovers ${pct(share('lora-16', near))} of full fine-tuning's gain on the nearest era and ${pct(share('lora-16', latest))} on the latest, ${b2(best('lora-16', near).bits - best('full', near).bits)} and ${b2(best('lora-16', latest).bits - best('full', latest).bits)} bits per character behind`
		);
		has(
			`LoRA at rank 1 ends at ${b2(best('lora-1', latest).originalBits)} bits per character on the base's own era, full fine-tuning at ${b2(best('full', latest).originalBits)}`
		);
	});
});

describe('lesson 6’s prose about the language model at the far end', () => {
	const prose = readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8');
	const has = (line: string) => expect(prose, line).toContain(line);
	const moby: LmTarget = 'moby-dick';
	const code: LmTarget = 'd3-code';
	const unseen = (m: string) => {
		const u = m === 'base' ? base(code).unseen : best(m, code).unseen;
		if (!u) throw new Error(`no unseen-character split for ${m}`);
		return u;
	};
	const b1 = (v: number) => v.toFixed(1);

	it('quotes where the base starts and where full fine-tuning ends as recorded', () => {
		has(
			`On Moby-Dick the base scores ${b2(base(moby).bits)} [bits per character](../../glossary/#bits-per-character), further than the ${b2(base(latest).bits)} of the latest addresses, and full fine-tuning brings it to ${b2(best('full', moby).bits)}`
		);
		expect(base(moby).bits).toBeGreaterThan(base(latest).bits);
		has(
			`On d3's code the base scores ${b2(base(code).bits)} bits per character, worse than the ${(Math.round(Math.log2(lm.config.vocab) * 100) / 100).toFixed(2)} of a uniform guess over its ${lm.config.vocab} characters`
		);
		expect(lm.language.baselines.uniform).toBeCloseTo(Math.log2(lm.config.vocab), 2);
		expect(base(code).bits).toBeGreaterThan(lm.language.baselines.uniform);
		has(`Full fine-tuning brings it to ${b2(best('full', code).bits)}.`);
	});

	it('quotes shares beside absolute gaps as recorded', () => {
		has(
			`LoRA at rank 16 recovers ${pct(share('lora-16', moby))} of full fine-tuning's gain on the novel and ${pct(share('lora-16', code))} on the code, BitFit ${pct(share('bitfit', moby))} and ${pct(share('bitfit', code))}`
		);
		has(
			`on code, full fine-tuning's gain is ${b2(base(code).bits - best('full', code).bits)} bits per character`
		);
		const gap = (m: string, t: LmTarget) => best(m, t).bits - best('full', t).bits;
		has(
			`at rank 16 it ends ${b2(gap('lora-16', moby))} bits per character behind full fine-tuning on the novel and ${b2(gap('lora-16', code))} on the code, and even BitFit, the best of the small methods, stays ${b2(gap('bitfit', code))} bits behind`
		);
		// "LoRA lags more than anywhere on the dial"; "the shares … look better here than on the dial".
		const dialGaps = LM_DIAL.map((t) => gap('lora-16', t));
		expect(gap('lora-16', moby)).toBeGreaterThan(Math.max(...dialGaps));
		for (const m of SMALL)
			for (const t of LM_DIAL) expect(share(m, moby), `${m} ${t}`).toBeGreaterThan(share(m, t));
		// BitFit is the best small method on code.
		for (const m of SMALL)
			expect(best('bitfit', code).bits).toBeLessThanOrEqual(best(m, code).bits);
	});

	it('counts the unseen characters and quotes their bits as recorded', () => {
		const u = unseen('base');
		has(`${BASE_UNSEEN_CHARS.length} of the ${lm.config.vocab} characters never occur`);
		has(
			`they are ${en(u.count)} of the ${en(u.count + u.restCount)} characters of the held-out code`
		);
		expect(u.count + u.restCount).toBe(record.training.testWindows * lm.config.context);
		has(`gives them ${b1(u.bits)} bits each, odds of about one in thirteen million`);
		expect(Math.round(2 ** u.bits / 1e6)).toBe(13);
		// The characters the prose names are among the unseen ones.
		const named = ['{', '}', '[', ']', '=', '<', '>', '|', '_'];
		const ids = new Set(BASE_UNSEEN_CHARS);
		for (const c of named) expect(ids.has(encodeText(c)[0]), c).toBe(true);
		has(`Full fine-tuning learns them: ${b2(unseen('full').bits)} bits per unseen character`);
		has(
			`LoRA on $W_q$ and $W_v$ gets them to ${b2(unseen('lora-1').bits)}, ${b2(unseen('lora-4').bits)} and ${b2(unseen('lora-16').bits)} bits at ranks 1, 4 and 16`
		);
		// "raising the rank no longer helps": rank 16 no better than rank 4 on them.
		expect(unseen('lora-16').bits).toBeGreaterThanOrEqual(unseen('lora-4').bits);
		has(`Head only reaches ${b2(unseen('head').bits)} and BitFit ${b2(unseen('bitfit').bits)}`);
		has(
			`LoRA at rank 16 and BitFit are level (${b2(unseen('lora-16').restBits)} and ${b2(unseen('bitfit').restBits)} bits against ${b2(unseen('full').restBits)} for full fine-tuning)`
		);
	});

	it('quotes forgetting after code as recorded, and samples as they read', () => {
		has(
			`After full fine-tuning on code the model scores ${b2(best('full', code).originalBits)} bits per character on its own era, from ${b2(base(code).originalBits)}; LoRA at rank 1 keeps ${b2(best('lora-1', code).originalBits)}, rank 16 ${b2(best('lora-16', code).originalBits)}`
		);
		const full = best('full', code).sample;
		for (const w of ['function', 'return', '{', '}']) expect(full).toContain(w);
		expect(best('lora-1', code).sample).toMatch(/\n {4,}\S/);
	});
});
