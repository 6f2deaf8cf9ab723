/**
 * One name per digits task across the course: the small shift (`affine-small`), the medium shift
 * (`affine-strong`) and the large drift (`permuted`). Every lesson, every component and every
 * label a reader sees is scanned for the names these tasks used to go by ("big shift", "strong
 * distortion", "larger shift", …), and the task titles and figure labels are held to the names.
 * The keys that URLs and recordings use (`distorted`, `permuted`, `narrow`, `big`) stay as they were.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIGIT_TASKS } from '$lib/model/data/digits';
import {
	FEATURE_CHOICES,
	FEATURE_LABELS,
	conditionLabel,
	featureCondition,
	shiftWords
} from '$lib/widgets/shiftLab';
import { PRESETS, SETUPS } from '../../../lessons/04-low-rank-updates/setups';
import { INTRINSIC_TASKS } from '../../../lessons/05-when-peft-works/intrinsic';

/** Names the digits tasks must not go by, whatever the case. */
const BANNED: readonly RegExp[] = [
	/big(ger)? shift/i,
	/strong(ly)?[\s-]+distort/i,
	/larger shift/i,
	/large shift/i,
	/narrow task'/i
];

/**
 * The generated language of the tiny transformer has a task of its own called the large shift
 * (`model/data/charLang.ts`); it is not a digits task, and these are the only places it is named.
 */
const LANGUAGE_TASK = [/text, large shift/g, /Large shift: a new grammar/g];

function files(dir: string, ext: RegExp): string[] {
	return readdirSync(dir).flatMap((name) => {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) return files(p, ext);
		return ext.test(name) ? [p] : [];
	});
}

/** Every place a reader can meet a task's name: lesson prose and figures, components, routes. */
const SCANNED = [
	...files('lessons', /\.(svx|svelte|ts)$/),
	...files('src', /\.(svelte|svx)$/),
	...files('src/lib/widgets', /\.ts$/)
];

describe('one name per digits task', () => {
	it('scans the lessons, components and routes', () => {
		expect(SCANNED).toContain('lessons/05-when-peft-works/index.svx');
		expect(SCANNED).toContain('lessons/06-when-peft-fails/index.svx');
		expect(SCANNED).toContain('src/routes/summary/+page.svelte');
		expect(SCANNED).toContain('src/lib/widgets/ShiftLab.svelte');
	});

	it('uses none of the old names anywhere a reader looks', () => {
		const hits: string[] = [];
		for (const path of SCANNED) {
			let text = readFileSync(path, 'utf8');
			for (const ok of LANGUAGE_TASK) text = text.replace(ok, '');
			text.split('\n').forEach((line, i) => {
				for (const re of BANNED) if (re.test(line)) hits.push(`${path}:${i + 1}: ${re}`);
			});
		}
		expect(hits).toEqual([]);
	});

	it('finds an old name when one is there (the scan can fail)', () => {
		const sample =
			'On the big shift the probe stopped; the strong distortion and a large shift too.';
		expect(BANNED.filter((re) => re.test(sample)).length).toBe(3);
	});

	it('titles the three digits tasks by their names', () => {
		expect(DIGIT_TASKS['affine-small'].title).toMatch(/^Small shift: /);
		expect(DIGIT_TASKS['affine-strong'].title).toMatch(/^Medium shift: /);
		expect(DIGIT_TASKS.permuted.title).toMatch(/^Large drift: /);
		for (const task of Object.values(DIGIT_TASKS))
			for (const re of BANNED) expect(`${task.title} ${task.description}`).not.toMatch(re);
	});

	it('labels the figures’ tasks by the same names, under the URL values they always had', () => {
		expect([...FEATURE_CHOICES]).toEqual(['distorted', 'new-classes', 'permuted', 'planted']);
		expect(FEATURE_LABELS.distorted).toMatch(/^Medium shift /);
		expect(FEATURE_LABELS.permuted).toMatch(/^Large drift /);
		expect(conditionLabel(featureCondition('permuted'))).toMatch(/large drift/);
		expect(shiftWords(2 / 12)).toBe('a small shift');
		expect(shiftWords(0.5)).toBe('a medium shift');
		expect(shiftWords(8 / 12)).toBe('a large drift');
		// Lesson 4's presets keep their URL keys and take the tasks' names.
		expect(PRESETS.narrow.label).toBe('Small shift');
		expect(PRESETS.big.label).toBe('Large drift');
		expect(SETUPS[PRESETS.narrow.setup].task).toEqual({ kind: 'digits', task: 'affine-small' });
		expect(SETUPS[PRESETS.big.setup].task).toEqual({ kind: 'digits', task: 'permuted' });
		expect(INTRINSIC_TASKS.permuted.label).toMatch(/^Large drift: /);
		expect(INTRINSIC_TASKS['small-shift'].label).toMatch(/^Small shift /);
	});
});
