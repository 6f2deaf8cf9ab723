/**
 * How many tokens landmark models were pretrained on, as their authors published it, so lesson 2
 * can place them on a scaling law's (N, D) plane. Parameter counts come from `landmarks.ts`.
 */
import { MODELS, type LandmarkModel, type Source } from './landmarks';

/** A landmark model with its published training tokens. */
export interface TrainedModel {
	model: LandmarkModel;
	/** Pretraining tokens. */
	tokens: number;
	/** Where the token count is stated. */
	source: Source;
}

const arxiv = (id: string) => `https://arxiv.org/abs/${id}`;

const TOKENS: Record<string, { tokens: number; source: Source }> = {
	gpt3: {
		tokens: 300e9,
		source: {
			label: 'Brown et al. 2020, §2.2 and Table D.1 (300B tokens)',
			url: arxiv('2005.14165')
		}
	},
	gopher: {
		tokens: 300e9,
		source: { label: 'Rae et al. 2021, §3 and Table 1 (300B tokens)', url: arxiv('2112.11446') }
	},
	chinchilla: {
		tokens: 1.4e12,
		source: {
			label: 'Hoffmann et al. 2022, §4.1 and Table 4 (1.4T tokens)',
			url: arxiv('2203.15556')
		}
	},
	llama2: {
		tokens: 2e12,
		source: { label: 'Touvron et al. 2023b, Table 1 (2.0T tokens)', url: arxiv('2307.09288') }
	},
	llama3: {
		tokens: 15e12,
		source: {
			label: 'Llama 3 model card (15T+ tokens) and Dubey et al. 2024, §3.1',
			url: 'https://github.com/meta-llama/llama3/blob/main/MODEL_CARD.md'
		}
	}
};

/** GPT-3, Gopher, Chinchilla, Llama 2 70B and Llama 3 70B with their training tokens. */
export const TRAINED_MODELS: readonly TrainedModel[] = MODELS.filter((m) => m.id in TOKENS).map(
	(model) => ({ model, ...TOKENS[model.id] })
);
