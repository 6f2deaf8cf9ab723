/**
 * The "Try it at home" snippets of lessons 3–6 (`lessons/NN-slug/try_at_home.py`) print or quote
 * parameter counts and memory for real models. Every such number is recomputed here from lesson
 * 3's memory model (`src/lib/math/memory.ts` and its presets), and every number in a snippet's
 * comments that is not a small setting (a rank, a layer, a lesson) must be one of the numbers
 * recomputed, so a number added or changed in a snippet fails this test until it is tied to the
 * model. The `print_trainable_parameters()` lines follow PEFT's format
 * (`trainable params: … || all params: … || trainable%: …` with four decimals); PEFT 0.21 printed
 * exactly these lines for each config on the same architectures built from their configs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	MODEL_PRESETS,
	NF4_BYTES_PER_PARAM,
	TARGET_MATRICES,
	estimateTrainingMemory,
	layerMatrices,
	methodParameters,
	parameterBreakdown,
	type ModelArch,
	type TrainingSetup
} from '$lib/math/memory';
import { highlightPython } from '$lib/ui/highlight';

const LESSONS = {
	3: 'lessons/03-what-fine-tuning-costs',
	4: 'lessons/04-low-rank-updates',
	5: 'lessons/05-when-peft-works',
	6: 'lessons/06-when-peft-fails'
} as const;
type Lesson = keyof typeof LESSONS;

const snippet = (n: Lesson) => readFileSync(`${LESSONS[n]}/try_at_home.py`, 'utf8');

const int = (n: number) => n.toLocaleString('en-US');
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The words of the parts in order, any run of spaces, newlines and `#` between them (columns, wrapped comments and code). */
const seq = (...parts: string[]) =>
	new RegExp(
		parts
			.flatMap((p) => p.split(/\s+/))
			.map(escape)
			.join('[\\s#]+')
	);

/** PEFT's `print_trainable_parameters()` line for `trainable` of `all` parameters. */
function peftLine(trainable: number, all: number): RegExp {
	return seq(
		`trainable params: ${int(trainable)} || all params: ${int(all)} || trainable%: ${((100 * trainable) / all).toFixed(4)}`
	);
}

/**
 * LoRA on an architecture as PEFT counts it: the adapters train; "all params" is the base plus
 * the adapters, plus, for `modules_to_save`, the trained copies of the embedding and LM head
 * (PEFT keeps the originals beside them).
 */
function peftLora(arch: ModelArch, setup: TrainingSetup, modulesToSave = false) {
	const lora = methodParameters(arch, setup).trainable;
	const parts = parameterBreakdown(arch);
	const copies = modulesToSave ? parts.embeddings + parts.lmHead : 0;
	return { trainable: lora + copies, all: parts.total + lora + copies };
}

/** Bytes of weights, gradients and optimizer state per trained parameter (mixed-precision Adam). */
function bytesPerTrained(arch: ModelArch): number {
	const m = estimateTrainingMemory(arch, { method: 'full' });
	return (m.weights + m.gradients + m.optimizer) / m.trainableParams;
}

const llama = MODEL_PRESETS['llama-2-7b'];
const phi = MODEL_PRESETS['phi-2'];
const ALL_LINEAR = [...TARGET_MATRICES];

/** Every number each snippet states, recomputed from the memory model. */
function claims(n: Lesson): RegExp[] {
	switch (n) {
		case 3: {
			const step = { gradientCheckpointing: true, seqLen: 512, batchSize: 1 } as const;
			const full = estimateTrainingMemory(llama, { ...step, method: 'full' });
			const lora = estimateTrainingMemory(llama, { ...step, method: 'lora', rank: 8 });
			const qlora = estimateTrainingMemory(llama, {
				...step,
				method: 'qlora',
				rank: 64,
				targets: ALL_LINEAR
			});
			const row = (name: string, m: typeof full) =>
				seq(name, gb(m.total), gb(m.weights), int(m.trainableParams));
			return [
				peftLine(lora.trainableParams, lora.totalParams),
				seq(`weights: ${gb(lora.weights)}`),
				peftLine(qlora.trainableParams, qlora.totalParams),
				seq('one sequence of 512 tokens,', 'gradient checkpointing, Adam'),
				row('full fine-tuning', full),
				row('LoRA, r = 8', lora),
				row('QLoRA, r = 64', qlora),
				seq(`base matrices at ${(NF4_BYTES_PER_PARAM * 8).toFixed(3)} bits`)
			];
		}
		case 4: {
			const q = layerMatrices(llama).find((m) => m.name === 'q')!;
			const perMatrix = (r: number) =>
				methodParameters(llama, { method: 'lora', rank: r, targets: ['q'] }).trainable /
				llama.nLayers;
			const size = q.dIn * q.dOut;
			return [
				seq(`layer 16 of ${llama.nLayers}: ${int(q.dOut)} × ${int(q.dIn)}`),
				seq(`the update, ${int(size)} numbers`),
				seq(`all ${int(Math.min(q.dIn, q.dOut))}, largest first`),
				seq(`r × (${int(q.dOut)} + ${int(q.dIn)}) numbers: ${int(perMatrix(8))} at`, 'rank 8,'),
				seq(`${((100 * perMatrix(8)) / size).toFixed(2)}% of the update's ${int(size)}`)
			];
		}
		case 5: {
			const m = estimateTrainingMemory(phi, { method: 'full' });
			const lora = (r: number) =>
				int(methodParameters(phi, { method: 'lora', rank: r, targets: ['q', 'v'] }).trainable);
			return [
				seq(phi.name!),
				seq(`weights, gradients and Adam state at ${gb(m.weights + m.gradients + m.optimizer)}`),
				seq(`${bytesPerTrained(phi)} bytes per trained parameter`),
				seq(`${lora(1)} at rank 1,`, `${lora(4)} at rank 4 and ${lora(16)} at rank 16`),
				seq(`against all ${int(m.trainableParams)} for full`)
			];
		}
		case 6: {
			const added =
				(snippet(6)
					.match(/add_tokens\(\[([^\]]*)\]\)/)?.[1]
					.match(/"/g)?.length ?? 0) / 2;
			const grown = { ...llama, vocabSize: llama.vocabSize + added };
			const setup = { method: 'lora', rank: 16, targets: ALL_LINEAR } as const;
			const withSave = peftLora(grown, setup, true);
			const plain = peftLora(llama, setup);
			const fullLayers = withSave.trainable - methodParameters(grown, setup).trainable;
			const perParam = bytesPerTrained(llama);
			return [
				peftLine(withSave.trainable, withSave.all),
				peftLine(plain.trainable, plain.all),
				seq(`hold ${int(fullLayers)} of the trainable parameters`),
				seq(`${perParam} bytes per trained parameter`),
				seq(`they add ${gb(fullLayers * perParam)} to a training step`),
				seq(`the LoRA matrices add ${gb(plain.trainable * perParam)}`)
			];
		}
	}
}

/** Settings in each snippet's code that the numbers above assume. */
const SETTINGS: Record<Lesson, RegExp[]> = {
	3: [
		seq(`model_id = "${llama.source}"`),
		seq('Before transformers 4.56, dtype= was called torch_dtype=.'),
		seq('r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"]'),
		seq('load_in_4bit=True,', 'bnb_4bit_quant_type="nf4",', 'bnb_4bit_use_double_quant=True,'),
		seq('bnb_4bit_compute_dtype=torch.bfloat16'),
		seq('r=64, lora_alpha=16, target_modules="all-linear"')
	],
	4: [
		seq(`W0 = load_weight("${llama.source}", name)`),
		seq('name = "model.layers.15.self_attn.q_proj.weight"'),
		seq('directions hold 90% of'),
		seq("holds 90% of the update's energy"),
		seq('def energy_rank(s, fraction=0.9):')
	],
	5: [
		seq(`model_id = "${phi.source}"`),
		seq('target_modules=["q_proj", "v_proj"]'),
		seq('for rank in (1, 4, 16):')
	],
	6: [
		seq(`model_id = "${llama.source}"`),
		seq('config = LoraConfig(', 'r=16,', 'lora_alpha=32,'),
		seq('target_modules="all-linear",'),
		seq('modules_to_save=["embed_tokens", "lm_head"]')
	]
};

/** Numbers in a snippet's comments that are not small settings: a comma, a decimal point, a %, or ≥ 1,000. */
function statedNumbers(code: string): { text: string; at: number }[] {
	const found: { text: string; at: number }[] = [];
	let offset = 0;
	for (const t of highlightPython(code)) {
		if (t.kind === 'comment') {
			for (const m of t.text.matchAll(/(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?%?/g)) {
				const text = m[0];
				const plain = Number(text.replace(/[,%]/g, ''));
				if (/[,.%]/.test(text) || plain >= 1000) found.push({ text, at: offset + m.index });
			}
		}
		offset += t.text.length;
	}
	return found;
}

describe.each([3, 4, 5, 6] as const)("lesson %i's snippet", (n) => {
	const code = snippet(n);

	it('states every number the memory model gives', () => {
		for (const claim of claims(n)) expect(code).toMatch(claim);
	});

	it('uses the settings those numbers assume', () => {
		for (const setting of SETTINGS[n]) expect(code).toMatch(setting);
	});

	it('states no number in its comments that the memory model or a setting does not give', () => {
		const spans = [...claims(n), ...SETTINGS[n]].flatMap((claim) =>
			[...code.matchAll(new RegExp(claim.source, 'g'))].map((m) => [m.index, m.index + m[0].length])
		);
		const unexplained = statedNumbers(code).filter(
			({ at, text }) => !spans.some(([from, to]) => at >= from && at + text.length <= to)
		);
		expect(unexplained).toEqual([]);
	});

	const python = spawnSync('python3', ['--version']).status === 0;
	it.skipIf(!python)('is valid Python', () => {
		const run = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
			input: code
		});
		expect(run.stderr.toString()).toBe('');
		expect(run.status).toBe(0);
	});

	it('is shown by its lesson', () => {
		const lesson = readFileSync(`${LESSONS[n]}/index.svx`, 'utf8');
		expect(lesson.includes("import tryAtHome from './try_at_home.py?raw'"), 'imports it').toBe(
			true
		);
		expect(/<CodeBlock[^>]*code=\{tryAtHome\}/.test(lesson), 'renders it in a CodeBlock').toBe(
			true
		);
	});
});

describe('the counts behind the snippets', () => {
	it('match the published check: LoRA r = 8 on q_proj and v_proj of Llama 2 7B', () => {
		expect(32 * 2 * 8 * (4096 + 4096)).toBe(4_194_304);
		expect(
			methodParameters(llama, { method: 'lora', rank: 8, targets: ['q', 'v'] }).trainable
		).toBe(4_194_304);
	});
});
