/**
 * The transformer's fused kernels (`./transformerOps.ts`) on the cpu and WebAssembly backends:
 * attention, layer norm and GELU in WebAssembly SIMD (`./simdKernels.ts`) once it is loaded and
 * the widths are multiples of four, the scalar loops of `./transformerArrays.ts` otherwise, on
 * the tensors' own memory. Where tfjs's ops take a
 * dozen passes for a layer norm or two dozen for attention (with transposes to split and merge
 * the heads), each of these is one. Registered by the trainer when it loads either backend.
 */
import { splitGrain } from './simdKernels';
import { registerHostKernel } from './hostKernels';
import {
	attentionArrays,
	attentionGradArrays,
	embedArrays,
	embedGradArrays,
	geluArrays,
	geluDerivativeArrays,
	geluGradArrays,
	layerNormArrays,
	layerNormGradArrays
} from './transformerArrays';
import * as ops from './transformerOps';

type F = Float32Array;

registerHostKernel(ops.EMBED_KERNEL, {
	outputs: (s) => [[s.ids[0], s.tok[1]]],
	run: ({ ids, tok, pos }, [out], attrs) =>
		embedArrays(
			ids as Int32Array,
			tok as F,
			pos as F,
			attrs.t as number,
			out.length / ids.length,
			out
		)
});

// The shapes of dH and the attributes give V and d; t is the attribute.
registerHostKernel(ops.EMBED_GRAD_KERNEL, {
	outputs: (s, a) => {
		const { t, vocab } = a as unknown as ops.EmbedGradAttrs;
		return [
			[vocab, s.dH[1]],
			[t, s.dH[1]]
		];
	},
	run: ({ ids, dH }, [dTok, dPos], a) =>
		embedGradArrays(ids as Int32Array, dH as F, a.t as number, dH.length / ids.length, dTok, dPos)
});

registerHostKernel(ops.LAYERNORM_KERNEL, {
	outputs: (s) => [s.x, s.x, [s.x[0]]],
	run: ({ x, g, s }, [y, xhat, rstd], a, simd) => {
		const { eps } = a as unknown as ops.LayerNormAttrs;
		if (simd && g.length % 4 === 0) {
			simd.split(
				'layer_norm_part',
				rstd.length,
				splitGrain(rstd.length, x.length),
				{ in: x as F },
				{ in: g as F },
				{ in: s as F },
				rstd.length,
				g.length,
				eps,
				{ out: y },
				{ out: xhat },
				{ out: rstd }
			);
			return;
		}
		layerNormArrays(x as F, g as F, s as F, g.length, eps, y, xhat, rstd);
	}
});

registerHostKernel(ops.LAYERNORM_GRAD_KERNEL, {
	outputs: (s) => [s.dy, s.g, s.g],
	run: ({ dy, xhat, rstd, g }, [dx, dg, ds], _a, simd) => {
		if (simd && g.length % 4 === 0) {
			// Rows for dx, then column quads for dg and ds: each a split over the helper threads.
			const rows = rstd.length;
			const d = g.length;
			simd.split(
				'layer_norm_grad_dx_part',
				rows,
				splitGrain(rows, dy.length),
				{ in: dy as F },
				{ in: xhat as F },
				{ in: rstd as F },
				{ in: g as F },
				rows,
				d,
				{ out: dx }
			);
			simd.split(
				'layer_norm_grad_dgds_part',
				d / 4,
				splitGrain(d / 4, dy.length),
				{ in: dy as F },
				{ in: xhat as F },
				rows,
				d,
				{ out: dg },
				{ out: ds }
			);
			return;
		}
		layerNormGradArrays(dy as F, xhat as F, rstd as F, g as F, g.length, dx, dg, ds);
	}
});

registerHostKernel(ops.ATTENTION_KERNEL, {
	outputs: (s, a) => {
		const { b, t, heads } = a as unknown as ops.AttentionAttrs;
		return [s.q, [b, heads, t, t]];
	},
	run: ({ q, k, v }, [ctx, probs], a, simd) => {
		const { b, t, heads } = a as unknown as ops.AttentionAttrs;
		const d = q.length / (b * t);
		if (simd && (d / heads) % 4 === 0) {
			// (batch row, head) pairs shared out over helper threads where there are any.
			simd.split(
				'attention_part',
				b * heads,
				1,
				{ in: q as F },
				{ in: k as F },
				{ in: v as F },
				b,
				t,
				heads,
				d,
				{ out: ctx },
				{ out: probs }
			);
			return;
		}
		attentionArrays(q as F, k as F, v as F, b, t, heads, d, ctx, probs);
	}
});

let scratch = new Float32Array(0);
registerHostKernel(ops.ATTENTION_GRAD_KERNEL, {
	outputs: (s) => [s.q, s.q, s.q],
	run: ({ dCtx, q, k, v, probs }, [dq, dk, dv], a, simd) => {
		const { b, t, heads } = a as unknown as ops.AttentionAttrs;
		const d = q.length / (b * t);
		if (simd && (d / heads) % 4 === 0) {
			simd.split(
				'attention_grad_part',
				b * heads,
				1,
				{ in: dCtx as F },
				{ in: q as F },
				{ in: k as F },
				{ in: v as F },
				{ in: probs as F },
				b,
				t,
				heads,
				d,
				{ out: dq, zero: true },
				{ out: dk, zero: true },
				{ out: dv, zero: true },
				{ scratch: t * t }
			);
			return;
		}
		if (scratch.length < t) scratch = new Float32Array(t);
		attentionGradArrays(
			dCtx as F,
			q as F,
			k as F,
			v as F,
			probs as F,
			b,
			t,
			heads,
			d,
			dq,
			dk,
			dv,
			scratch
		);
	}
});

/** GELU is shared between threads in pieces of 16,384 floats, and not at all below twice that. */
function geluGrain(n: number): number {
	return n >= 32768 ? 16384 : n;
}

// With `withGrad`, a second output holds GELU′(x), for a backward pass that then needs only
// dy·GELU′(x): the same floats as the gradient kernel, without computing e^x again.
registerHostKernel(ops.GELU_KERNEL, {
	outputs: (s, attrs) => (attrs.withGrad ? [s.x, s.x] : [s.x]),
	run: ({ x }, [y, d], _a, simd) => {
		const grain = geluGrain(y.length);
		if (simd && d)
			simd.split('gelu_d_part', y.length, grain, { in: x as F }, { out: y }, { out: d }, y.length);
		else if (simd) simd.split('gelu_part', y.length, grain, { in: x as F }, { out: y }, y.length);
		else {
			geluArrays(x as F, y);
			if (d) geluDerivativeArrays(x as F, d);
		}
	}
});

// From dy and x, or from dy and the derivative d the forward pass kept: dx = dy·d.
registerHostKernel(ops.GELU_GRAD_KERNEL, {
	outputs: (s) => [s.dy],
	run: ({ dy, x, d }, [dx], _a, simd) => {
		// dy with d where the forward pass kept GELU′ (an element-wise product), else with x.
		const other = (d ?? x) as F;
		if (simd) {
			const name = d ? 'mul_part' : 'gelu_grad_part';
			simd.split(
				name,
				dx.length,
				geluGrain(dx.length),
				{ in: dy as F },
				{ in: other },
				{ out: dx },
				dx.length
			);
		} else if (d) for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * d[i];
		else geluGradArrays(dy as F, x as F, dx);
	}
});
