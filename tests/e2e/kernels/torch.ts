/**
 * The PyTorch references on the kernel check page's backend: the same runs as the Node tests
 * (tests/unit/model/transformerReference.ts, mlpReference.ts) against the same float64 fixtures,
 * through the hand-written step with the kernels the trainer registers on this backend. The
 * transformer's base logits and loss, and three Adam steps of full fine-tuning and of LoRA on q
 * and v; the MLP's base loss and three steps of every method. Each kind of check reports its worst
 * error relative to (1 + |ref|) and the tolerance the Node tests hold it to; the spec decides.
 */
import mlpFixture from '../../fixtures/mlp_step.json';
import transformerFixture from '../../fixtures/transformer_step.json';
import { METHODS, mlpReference, type MlpFixture } from '../../unit/model/mlpReference';
import { worstRecorder, type Worst } from '../../unit/model/torchFixture';
import {
	transformerReference,
	type TransformerFixture
} from '../../unit/model/transformerReference';

/** Worst error and tolerance by `${model} ${method} ${kind}`, and the milliseconds it all took. */
export async function torchReferences(): Promise<{ worst: Record<string, Worst>; ms: number }> {
	const start = performance.now();
	const out: Record<string, Worst> = {};
	const transformer = transformerReference(transformerFixture as TransformerFixture);
	await transformer.base(worstRecorder('transformer base', out));
	for (const method of ['full', 'lora'] as const) {
		await transformer.steps(method, 'hand', worstRecorder(`transformer ${method}`, out));
	}
	const mlp = mlpReference(mlpFixture as MlpFixture);
	await mlp.base(worstRecorder('mlp base', out));
	for (const method of METHODS) await mlp.steps(method, worstRecorder(`mlp ${method}`, out));
	return { worst: out, ms: performance.now() - start };
}
