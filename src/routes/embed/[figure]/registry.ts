/**
 * What each embed page renders: the figure's component, loaded only by its own page, and the
 * props the lesson gives it (its id, and for the shared widgets its title, view and URL prefix,
 * as written in `lessons/NN-slug/index.svx`; a unit test holds the two in step). Captions that a
 * lesson writes as prose around a figure stay in the lesson; the embed page links back to it.
 */
import type { Component } from 'svelte';
import type { EmbedId } from '$lib/ui/embeds';

/** How to render one embeddable figure. */
export interface EmbedFigure {
	// The figures take different props; each entry below gives its own.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	load: () => Promise<{ default: Component<any> }>;
	props: Record<string, unknown>;
	/** A title for the page to show above a figure that has none of its own. */
	heading?: string;
}

export const FIGURES: Record<EmbedId, EmbedFigure> = {
	'fig-growth': {
		load: () => import('$lessons/01-why-peft/ModelGrowth.svelte'),
		props: {},
		heading: 'Memory needed against the largest single accelerator'
	},
	'fig-landscape': {
		load: () => import('$lessons/02-scaling-laws/LossLandscape.svelte'),
		props: {}
	},
	'fig-budget': {
		load: () => import('$lessons/02-scaling-laws/SpendBudget.svelte'),
		props: {}
	},
	'fig-ladder': {
		load: () => import('$lessons/02-scaling-laws/LadderFigure.svelte'),
		props: {}
	},
	calculator: {
		load: () => import('$lessons/03-what-fine-tuning-costs/MemoryCalculator.svelte'),
		props: {}
	},
	'by-size': {
		load: () => import('$lessons/03-what-fine-tuning-costs/MemoryBySize.svelte'),
		props: {}
	},
	measured: {
		load: () => import('$lessons/03-what-fine-tuning-costs/MeasuredLedger.svelte'),
		props: {}
	},
	papers: {
		load: () => import('$lessons/03-what-fine-tuning-costs/PaperNumbers.svelte'),
		props: {}
	},
	'fig-copy': {
		load: () => import('$lessons/04-low-rank-updates/LowRankCopy.svelte'),
		props: {}
	},
	'fig-spectrum': {
		load: () => import('$lessons/04-low-rank-updates/SpectrumLab.svelte'),
		props: {}
	},
	'fig-lora': {
		load: () => import('$lessons/04-low-rank-updates/LoraPicture.svelte'),
		props: {}
	},
	'fig-rank': {
		load: () => import('$lessons/04-low-rank-updates/RankSlider.svelte'),
		props: {}
	},
	'fig-agree': {
		load: () => import('$lessons/04-low-rank-updates/RankAgreement.svelte'),
		props: {}
	},
	'fig-shift-lab': {
		load: () => import('$lib/widgets/ShiftLab.svelte'),
		props: {
			id: 'fig-shift-lab',
			title: 'Figure 1. The shift lab',
			prefix: 'works',
			view: 'accuracy',
			defaultShift: 2 / 12
		}
	},
	'fig-shift-spectrum': {
		load: () => import('$lib/widgets/ShiftLab.svelte'),
		props: {
			id: 'fig-shift-spectrum',
			title: "Figure 2. The full update's spectrum flattens as the shift grows",
			prefix: 'spectrum',
			view: 'spectrum',
			defaultShift: 2 / 12
		}
	},
	'fig-forgetting': {
		load: () => import('$lib/widgets/ShiftLab.svelte'),
		props: {
			id: 'fig-forgetting',
			title: 'Figure 3. Accuracy on the original task after each fine-tune',
			prefix: 'forget',
			view: 'forgetting',
			defaultShift: 8 / 12
		}
	},
	'fig-tradeoff': {
		load: () => import('$lib/widgets/ShiftLab.svelte'),
		props: {
			id: 'fig-tradeoff',
			title: 'Figure 4. What LoRA learns and what it keeps, by rank',
			prefix: 'tradeoff',
			view: 'tradeoff',
			defaultTask: 'planted'
		}
	},
	'fig-lm-drift': {
		load: () => import('$lib/widgets/LmDrift.svelte'),
		props: {
			id: 'fig-lm-drift',
			title: 'Figure 5. The English model fine-tuned on later addresses',
			view: 'dial',
			prefix: 'lmdial'
		}
	},
	'fig-intrinsic': {
		load: () => import('$lessons/05-when-peft-works/IntrinsicDimension.svelte'),
		props: {
			id: 'fig-intrinsic',
			title: 'Figure 6. Intrinsic dimension from a pretrained base and from a random start'
		}
	},
	'fig-new-features': {
		load: () => import('$lib/widgets/ShiftLab.svelte'),
		props: {
			id: 'fig-new-features',
			title: 'Figure 1. Tasks that need new features',
			prefix: 'features',
			view: 'features'
		}
	},
	'fig-large-drift': {
		load: () => import('$lib/widgets/ShiftLab.svelte'),
		props: {
			id: 'fig-large-drift',
			title: 'Figure 2. The gap to full fine-tuning at large drift',
			prefix: 'drift',
			view: 'accuracy',
			defaultShift: 1
		}
	},
	'fig-lm-far': {
		load: () => import('$lib/widgets/LmDrift.svelte'),
		props: {
			id: 'fig-lm-far',
			title: 'Figure 3. The English model fine-tuned on a novel and on code',
			view: 'far',
			prefix: 'lmfar'
		}
	},
	'finetune-demo': {
		load: () => import('$lib/widgets/FineTuneDemo.svelte'),
		props: {}
	},
	'language-lab': {
		load: () => import('$lib/widgets/LanguageLab.svelte'),
		props: {}
	}
};
