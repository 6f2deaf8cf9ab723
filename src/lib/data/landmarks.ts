/**
 * Landmark language models and the data-centre accelerators of their time, with the published
 * numbers the course plots and the source of each. Lesson 1 puts the two side by side: how many
 * bytes a model needs against how many one accelerator holds.
 *
 * Models: `params` is the total the authors published; the architecture comes from the paper's
 * own table where it has one, otherwise from the released config named in `sources`.
 *
 * Accelerators: standalone data-centre GPUs from NVIDIA and AMD, with the memory one device
 * addresses, dated by the month the vendor launched that memory size. Left out on purpose:
 * AMD's MI250X (128 GB per module, but two devices of 64 GB each as software sees it), CPU+GPU
 * superchips such as GH200, and other vendors' accelerators.
 */

/** Where a number comes from. */
export interface Source {
	/** What it is and where in it to look ("Table 2.1"). */
	label: string;
	url: string;
}

/** A published dense decoder-only language model. */
export interface LandmarkModel {
	id: string;
	/** Name with size, as the figure labels it on wide screens ("Llama 3.1 405B"). */
	name: string;
	/** Shorter label for narrow screens ("Llama 3.1"). */
	short: string;
	/** Month of first public release (paper or announcement), `YYYY-MM`. */
	released: string;
	/** Total parameters as published. */
	params: number;
	nLayers: number;
	dModel: number;
	/** Query heads. */
	nHeads: number;
	/** Key/value heads: `nHeads` for multi-head attention, fewer under GQA, 1 under MQA. */
	nKvHeads: number;
	/** Width of one attention head (key/value size). */
	dHead: number;
	/** Longest sequence the released model takes, in tokens. */
	context: number;
	sources: Source[];
}

/** A single accelerator and its memory. */
export interface Accelerator {
	id: string;
	name: string;
	/** Memory one device addresses, in GB (10⁹ bytes) as the vendor states it. */
	memoryGB: number;
	/** Month the vendor launched this memory size, `YYYY-MM`. */
	launched: string;
	source: Source;
}

const arxiv = (id: string) => `https://arxiv.org/abs/${id}`;

/** Landmark models in order of release. */
export const MODELS: readonly LandmarkModel[] = [
	{
		id: 'gpt2',
		name: 'GPT-2 1.5B',
		short: 'GPT-2',
		released: '2019-02',
		params: 1.542e9,
		nLayers: 48,
		dModel: 1600,
		nHeads: 25,
		nKvHeads: 25,
		dHead: 64,
		context: 1024,
		sources: [
			{
				label: 'Radford et al. 2019, Table 2 and §2.3',
				url: 'https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf'
			},
			{
				label: 'released config (25 heads)',
				url: 'https://huggingface.co/openai-community/gpt2-xl/blob/main/config.json'
			}
		]
	},
	{
		id: 'gpt3',
		name: 'GPT-3 175B',
		short: 'GPT-3',
		released: '2020-05',
		params: 175e9,
		nLayers: 96,
		dModel: 12288,
		nHeads: 96,
		nKvHeads: 96,
		dHead: 128,
		context: 2048,
		sources: [{ label: 'Brown et al. 2020, Table 2.1', url: arxiv('2005.14165') }]
	},
	{
		id: 'gopher',
		name: 'Gopher 280B',
		short: 'Gopher',
		released: '2021-12',
		params: 280e9,
		nLayers: 80,
		dModel: 16384,
		nHeads: 128,
		nKvHeads: 128,
		dHead: 128,
		context: 2048,
		sources: [{ label: 'Rae et al. 2021, Table 1 and §3', url: arxiv('2112.11446') }]
	},
	{
		id: 'chinchilla',
		name: 'Chinchilla 70B',
		short: 'Chinchilla',
		released: '2022-03',
		params: 70e9,
		nLayers: 80,
		dModel: 8192,
		nHeads: 64,
		nKvHeads: 64,
		dHead: 128,
		context: 2048,
		sources: [
			{ label: 'Hoffmann et al. 2022, Table 4', url: arxiv('2203.15556') },
			{ label: 'context as for Gopher, Rae et al. 2021', url: arxiv('2112.11446') }
		]
	},
	{
		id: 'palm',
		name: 'PaLM 540B',
		short: 'PaLM',
		released: '2022-04',
		params: 540.35e9,
		nLayers: 118,
		dModel: 18432,
		nHeads: 48,
		nKvHeads: 1,
		dHead: 256,
		context: 2048,
		sources: [
			{
				label: 'Chowdhery et al. 2022, Table 1 and §2 (multi-query attention, head size 256)',
				url: arxiv('2204.02311')
			}
		]
	},
	{
		id: 'llama',
		name: 'LLaMA 65B',
		short: 'LLaMA',
		released: '2023-02',
		params: 65.2e9,
		nLayers: 80,
		dModel: 8192,
		nHeads: 64,
		nKvHeads: 64,
		dHead: 128,
		context: 2048,
		sources: [
			{ label: 'Touvron et al. 2023a, Table 2', url: arxiv('2302.13971') },
			{ label: 'context: Touvron et al. 2023b, Table 1', url: arxiv('2307.09288') }
		]
	},
	{
		id: 'llama2',
		name: 'Llama 2 70B',
		short: 'Llama 2',
		released: '2023-07',
		params: 70e9,
		nLayers: 80,
		dModel: 8192,
		nHeads: 64,
		nKvHeads: 8,
		dHead: 128,
		context: 4096,
		sources: [
			{ label: 'Touvron et al. 2023b, Table 1 (4k context, GQA)', url: arxiv('2307.09288') },
			{
				label: 'released config (layers, heads, 8 KV heads)',
				url: 'https://huggingface.co/meta-llama/Llama-2-70b-hf/blob/main/config.json'
			}
		]
	},
	{
		id: 'llama3',
		name: 'Llama 3 70B',
		short: 'Llama 3',
		released: '2024-04',
		params: 70e9,
		nLayers: 80,
		dModel: 8192,
		nHeads: 64,
		nKvHeads: 8,
		dHead: 128,
		context: 8192,
		sources: [
			{ label: 'Dubey et al. 2024, Table 3', url: arxiv('2407.21783') },
			{
				label: 'model card (8K context at first release)',
				url: 'https://github.com/meta-llama/llama3/blob/main/MODEL_CARD.md'
			}
		]
	},
	{
		id: 'llama31',
		name: 'Llama 3.1 405B',
		short: 'Llama 3.1',
		released: '2024-07',
		params: 405e9,
		nLayers: 126,
		dModel: 16384,
		nHeads: 128,
		nKvHeads: 8,
		dHead: 128,
		context: 131072,
		sources: [
			{ label: 'Dubey et al. 2024, Table 3 and §3.4 (128K context)', url: arxiv('2407.21783') }
		]
	}
];

const NVIDIA_V100 = {
	label: 'NVIDIA V100 datasheet',
	url: 'https://images.nvidia.com/content/technologies/volta/pdf/volta-v100-datasheet-update-us-1165301-r5.pdf'
};
const NVIDIA_A100 = {
	label: 'NVIDIA A100 datasheet',
	url: 'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf'
};
const NVIDIA_H100 = {
	label: 'NVIDIA H100 datasheet',
	url: 'https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet'
};

/** Accelerators in order of launch. */
export const ACCELERATORS: readonly Accelerator[] = [
	{
		id: 'v100-16',
		name: 'NVIDIA V100 16 GB',
		memoryGB: 16,
		launched: '2017-05',
		source: NVIDIA_V100
	},
	{
		id: 'v100-32',
		name: 'NVIDIA V100 32 GB',
		memoryGB: 32,
		launched: '2018-03',
		source: NVIDIA_V100
	},
	{
		id: 'a100-40',
		name: 'NVIDIA A100 40 GB',
		memoryGB: 40,
		launched: '2020-05',
		source: NVIDIA_A100
	},
	{
		id: 'a100-80',
		name: 'NVIDIA A100 80 GB',
		memoryGB: 80,
		launched: '2020-11',
		source: NVIDIA_A100
	},
	{ id: 'h100', name: 'NVIDIA H100 SXM', memoryGB: 80, launched: '2022-03', source: NVIDIA_H100 },
	{
		id: 'h100-nvl',
		name: 'NVIDIA H100 NVL',
		memoryGB: 94,
		launched: '2023-03',
		source: NVIDIA_H100
	},
	{
		id: 'h200',
		name: 'NVIDIA H200',
		memoryGB: 141,
		launched: '2023-11',
		source: {
			label: 'NVIDIA H200 product page',
			url: 'https://www.nvidia.com/en-us/data-center/h200/'
		}
	},
	{
		id: 'mi300x',
		name: 'AMD Instinct MI300X',
		memoryGB: 192,
		launched: '2023-12',
		source: {
			label: 'AMD MI300X datasheet',
			url: 'https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/amd-instinct-mi300x-data-sheet.pdf'
		}
	},
	{
		id: 'b200',
		name: 'NVIDIA B200',
		memoryGB: 180,
		launched: '2024-03',
		source: {
			label: 'NVIDIA DGX B200 user guide (1,440 GB for eight GPUs)',
			url: 'https://docs.nvidia.com/dgx/dgxb200-user-guide/introduction-to-dgxb200.html'
		}
	},
	{
		id: 'mi325x',
		name: 'AMD Instinct MI325X',
		memoryGB: 256,
		launched: '2024-10',
		source: {
			label: 'AMD MI325X product page',
			url: 'https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html'
		}
	}
];

/**
 * A `YYYY-MM` month as a fractional year at the middle of that month (2024-07 → 2024.54).
 * @throws on a string that is not `YYYY-MM`
 */
export function yearOf(month: string): number {
	const m = /^(\d{4})-(\d{2})$/.exec(month);
	if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`not a YYYY-MM month: ${month}`);
	return Number(m[1]) + (Number(m[2]) - 0.5) / 12;
}

/**
 * The accelerator with the most memory launched in or before `month` (`YYYY-MM`); on a tie, the
 * later launch. Undefined before the first one.
 */
export function largestAcceleratorAt(month: string): Accelerator | undefined {
	let best: Accelerator | undefined;
	for (const a of ACCELERATORS) {
		if (a.launched > month) continue;
		if (!best || a.memoryGB >= best.memoryGB) best = a;
	}
	return best;
}

/** A month as words, for prose and tables ("July 2024"). */
export function monthName(month: string): string {
	const [y, m] = month.split('-').map(Number);
	const names = [
		'January',
		'February',
		'March',
		'April',
		'May',
		'June',
		'July',
		'August',
		'September',
		'October',
		'November',
		'December'
	];
	return `${names[m - 1]} ${y}`;
}
