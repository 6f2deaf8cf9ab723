/**
 * The language lab's settings (src/lib/widgets/languageLab.ts): every shipped text offered once,
 * in drift order, with bigram bits recomputed from the shipped files and the label's claim about
 * code checked on them; LoRA targets that are real layers of the shipped model; the URL state
 * read back as written, bad values clamped with a sentence; the run asked for; a summary that
 * never prints NaN.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { baselineBits, TEXT_CORPUS_IDS } from '$lib/model/data/text';
import { MAX_TEMPERATURE } from '$lib/model/generate';
import { buildModel, type ModelManifest } from '$lib/model/weightsFile';
import { diskTextSplits } from '../../../scripts/node/diskSources';
import type { LoraRunSpec } from '$lib/trainer/protocol';
import { MAX_SAMPLE_LENGTH } from '$lib/trainer/worker/host';

vi.mock('$app/navigation', () => ({ replaceState: vi.fn() }));
vi.mock('$app/state', () => ({ page: { state: {} } }));

const {
	LAB_BLOCKS,
	LAB_CORPORA,
	LAB_DEFAULTS,
	LAB_KEYS,
	LAB_MODEL,
	LAB_MAX_RANK,
	LAB_MAX_TEMPERATURE,
	MAX_PROMPT,
	SAMPLE_LENGTH,
	bits,
	labParams,
	labSpec,
	labSummary,
	loraTargets,
	parseLabQuery,
	smoothedBits
} = await import('$lib/widgets/languageLab');

const models: ModelManifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));
const english = models.models.englishlm;
const data = JSON.parse(readFileSync('static/data/manifest.json', 'utf8'));

describe('the texts', () => {
	it('offers every shipped text once, its years as the manifest gives them', () => {
		expect(LAB_CORPORA.map((c) => c.id).sort()).toEqual([...TEXT_CORPUS_IDS].sort());
		for (const c of LAB_CORPORA.filter((c) => c.id.startsWith('sotu-'))) {
			const [from, to] = data[c.id].years;
			expect(c.label).toContain(`${from}–${to}`);
			expect(c.short).toContain(`${from}–${to}`);
		}
		// The eras in time order, the base's own first.
		const eras = LAB_CORPORA.filter((c) => c.id.startsWith('sotu-')).map((c) => c.id);
		expect(eras).toEqual([...eras].sort());
		const own = english.language!.corpora;
		expect(LAB_CORPORA.filter((c) => c.label.includes('base’s era')).map((c) => c.id)).toEqual(own);
	});

	it('gives each text its bigram model’s held-out bits, as recomputed from the shipped files', () => {
		for (const c of LAB_CORPORA) {
			const s = diskTextSplits([c.id]);
			expect(c.bigramBits).toBeCloseTo(baselineBits(s.train, s.test).bigram, 3);
		}
	});

	it('says truly that code has characters the base never saw', () => {
		const code = LAB_CORPORA.find((c) => c.id === 'd3-code')!;
		const claimed = code.note.match(/never saw: (.*) and more/)![1].split(' ');
		expect(claimed.length).toBeGreaterThan(2);
		const text = (id: string) => readFileSync(`static/data/${data[id].file}`, 'latin1');
		const base = english.language!.corpora.map(text).join('');
		for (const ch of claimed) {
			expect(base).not.toContain(ch);
			expect(text('d3-code')).toContain(ch);
		}
	});
});

describe('the model', () => {
	it('adapts real layers: W_q and W_v of each block, or every linear layer but the head', () => {
		const config = english.config as { layers: number; dModel: number; context: number };
		expect(LAB_MODEL).toEqual({
			blocks: config.layers,
			width: config.dModel,
			context: config.context,
			parameters: english.parameters
		});
		expect(LAB_BLOCKS).toBe(config.layers);
		expect(LAB_MAX_RANK).toBe(config.dModel);
		const linears = buildModel(english.config).linears;
		const names = linears.map((l) => l.name);
		expect(loraTargets('qv')).toEqual(['h0.q', 'h0.v', 'h1.q', 'h1.v', 'h2.q', 'h2.v']);
		expect(loraTargets('all').sort()).toEqual(names.filter((n) => n !== 'out').sort());
		// The smallest adapted matrix bounds the rank.
		const smallest = Math.min(...linears.map((l) => Math.min(l.inDim, l.outDim)));
		expect(LAB_MAX_RANK).toBe(smallest);
	});

	it('asks for what the sampler and the worker allow', () => {
		expect(LAB_MAX_TEMPERATURE).toBe(MAX_TEMPERATURE);
		expect(SAMPLE_LENGTH).toBeGreaterThanOrEqual(200);
		expect(SAMPLE_LENGTH).toBeLessThanOrEqual(MAX_SAMPLE_LENGTH);
	});
});

describe('URL state', () => {
	it('is the defaults, silently, with no parameters', () => {
		expect(parseLabQuery(new URLSearchParams(''))).toEqual({ state: LAB_DEFAULTS, messages: [] });
	});

	it('keeps every key under lm- and reads back what it wrote', () => {
		expect(Object.values(LAB_KEYS).every((k) => k.startsWith('lm-'))).toBe(true);
		const state = {
			...LAB_DEFAULTS,
			corpus: 'd3-code' as const,
			method: 'full' as const,
			rank: 64,
			targets: 'all' as const,
			lr: 0.0005,
			seed: 7,
			steps: 120,
			backend: 'webgpu' as const,
			prompt: 'function (a, b) {\n  return',
			temperature: 0,
			sampleSeed: 42
		};
		const q = new URLSearchParams(Object.entries(labParams(state)).map(([k, v]) => [k, String(v)]));
		expect(parseLabQuery(q)).toEqual({ state, messages: [] });
	});

	it('clamps or replaces bad values, with a sentence for each', () => {
		const q = new URLSearchParams({
			'lm-corpus': 'klingon',
			'lm-method': 'magic',
			'lm-rank': '999',
			'lm-targets': 'k',
			'lm-lr': 'banana',
			'lm-steps': '0',
			'lm-temp': '9',
			'lm-sample-seed': '1.5',
			'lm-prompt': 'x'.repeat(MAX_PROMPT + 5),
			rank: '3'
		});
		const { state, messages } = parseLabQuery(q);
		expect(state).toMatchObject({
			corpus: LAB_DEFAULTS.corpus,
			method: LAB_DEFAULTS.method,
			rank: LAB_MAX_RANK,
			targets: LAB_DEFAULTS.targets,
			lr: LAB_DEFAULTS.lr,
			steps: 1,
			temperature: 2,
			sampleSeed: 2,
			prompt: 'x'.repeat(MAX_PROMPT)
		});
		expect(messages).toHaveLength(9);
		expect(messages.join(' ')).toMatch(/“klingon” is not a text the lab offers; showing Addresses/);
		expect(messages.join(' ')).toMatch(/999 is above the largest LoRA rank, 96; using 96/);
		expect(messages.join(' ')).toMatch(/“banana” is not a number for learning rate/);
		expect(messages.join(' ')).toMatch(/longer than 200 characters/);
	});
});

describe('the run', () => {
	it('fine-tunes englishlm on the chosen text at batch 8, LoRA with α = 2r on its targets', () => {
		const lora = labSpec({ ...LAB_DEFAULTS, rank: 16, targets: 'qv' });
		expect(lora).toEqual({
			task: { kind: 'english', corpus: LAB_DEFAULTS.corpus },
			method: 'lora',
			rank: 16,
			alpha: 32,
			targets: loraTargets('qv'),
			lr: LAB_DEFAULTS.lr,
			batchSize: 8,
			seed: LAB_DEFAULTS.seed,
			maxSteps: LAB_DEFAULTS.steps
		});
		const head = labSpec({ ...LAB_DEFAULTS, method: 'head' });
		expect(head.method).toBe('head');
		expect((head as Partial<LoraRunSpec>).rank).toBeUndefined();
		expect((head as Partial<LoraRunSpec>).targets).toBeUndefined();
	});
});

describe('the summary', () => {
	it('reads the curve in bits per character, never NaN', () => {
		expect(labSummary(LAB_DEFAULTS, undefined, undefined, undefined)).toMatch(/Nothing has run/);
		const start = labSummary(LAB_DEFAULTS, 2.68, { step: 0, bits: 2.68 }, 9216);
		expect(start).toBe(
			'Before fine-tuning, the base model needs 2.68 bits per character on held-out addresses of 1990–2021 (a bigram model of this text needs 3.50).'
		);
		const last = { step: 1500, bits: bits(1.6) };
		const later = labSummary(LAB_DEFAULTS, 2.68, last, 9216);
		expect(later).toMatch(
			/^After 1,500 steps of LoRA \(rank 8 on W_q and W_v\), training 9,216 parameters, the model needs 2\.31 bits/
		);
		expect(later).not.toMatch(/NaN|undefined/);
		expect(labSummary({ ...LAB_DEFAULTS, method: 'bitfit' }, 2.68, last, 2688)).toMatch(
			/^After 1,500 steps of BitFit, training 2,688/
		);
		expect(labSummary({ ...LAB_DEFAULTS, method: 'head' }, 2.68, last, undefined)).toMatch(
			/^After 1,500 steps of head-only fine-tuning, the model needs/
		);
	});
});

describe('the training curve', () => {
	it('is each chunk’s bits smoothed, starting at the first chunk’s own value', () => {
		const losses = [4, 2, 2, 2].map((nats, i) => ({ step: i + 1, loss: nats * Math.LN2 }));
		const [a, b, c] = smoothedBits(losses, 0.5);
		expect(a).toEqual({ x: 1, y: 4 });
		// (0.5·0.5·4 + 0.5·2) / (1 − 0.25) = 2 / 0.75
		expect(b.y).toBeCloseTo(2 / 0.75, 12);
		expect(c.y).toBeLessThan(b.y);
		expect(c.y).toBeGreaterThan(2);
		expect(smoothedBits([])).toEqual([]);
	});
});
