/**
 * The reader's pace in the worker: at "one step at a time" a run trains one step per chunk with a
 * rest between chunks; back at full speed the chunks grow again.
 */
import { describe, expect, it } from 'vitest';
import { HOST_SPEC, hostHarness } from './hostHarness';
import { waitFor } from './waitFor';

const spec = HOST_SPEC;

describe('pace', () => {
	it('one step at a time: one step per chunk, and full speed sizes chunks again', async () => {
		const { host, of } = hostHarness();
		await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
		await host.handle({ type: 'configure', spec });
		const deltas = (from: number) =>
			of('metrics')
				.slice(from)
				.map((m, i, all) => m.step - (all[i - 1]?.step ?? m.step - 1));
		// Full speed first, so the chunks have grown past one step.
		await host.handle({ type: 'run' });
		await waitFor(() => (of('metrics').at(-1)?.step ?? 0) >= 60, 'sixty steps');
		await host.handle({ type: 'pause' });
		expect(Math.max(...deltas(0))).toBeGreaterThan(1);
		const at = of('metrics').length;
		await host.handle({ type: 'pace', pace: 'one' });
		await host.handle({ type: 'run' });
		await waitFor(() => of('metrics').length >= at + 3, 'three paced chunks');
		await host.handle({ type: 'pause' });
		expect(deltas(at)).toEqual(deltas(at).map(() => 1));
		// Back to full speed: chunks of more than one step come again.
		const back = of('metrics').length;
		const paused = of('metrics').at(-1)!.step;
		await host.handle({ type: 'pace', pace: 'normal' });
		await host.handle({ type: 'run' });
		await waitFor(() => (of('metrics').at(-1)?.step ?? 0) >= paused + 60, 'sixty more steps');
		await host.handle({ type: 'pause' });
		expect(Math.max(...deltas(back))).toBeGreaterThan(1);
		await host.handle({ type: 'dispose' });
	});

	it('an unknown pace is full speed', async () => {
		const { host, of } = hostHarness();
		await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
		await host.handle({ type: 'configure', spec: { ...spec, maxSteps: 60 } });
		await host.handle({ type: 'pace', pace: 'warp' as 'one' });
		await host.handle({ type: 'run' });
		await waitFor(() => of('metrics').at(-1)?.step === 60, 'the run to its end');
		// Far fewer events than steps: chunks were sized by time, not fixed at one step.
		expect(of('metrics').length).toBeLessThan(60);
		await host.handle({ type: 'dispose' });
	});
});
