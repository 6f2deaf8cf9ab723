/**
 * The further-reading list: every paper the lessons cite, by its bibliography key (the `id` in a
 * lesson's `references`, so titles and authors come from the one bibliography and cannot drift),
 * with a note on what it gives a reader and which lessons it extends; then the practical
 * resources the course points to. `+page.server.ts` resolves the keys and fails the build on one
 * no lesson lists; tests/unit/routes/reading.test.ts checks that every cited paper is here.
 */

/** A paper from the course's bibliography, annotated. */
export interface PaperNote {
	/** Bibliography key, as cited in the lessons (`[@hu2021]`). */
	key: string;
	/** One or two sentences: what reading it gives you. */
	note: string;
	/** Lessons it extends, by number. */
	lessons: number[];
}

/** A practical resource outside the bibliography (documentation, a course, an article). */
export interface Resource {
	/** Anchor id on the reading page. */
	id: string;
	title: string;
	/** Who wrote or maintains it. */
	by: string;
	url: string;
	note: string;
	lessons: number[];
}

/** Papers, grouped as the course meets them. */
export const SECTIONS: { id: string; title: string; papers: PaperNote[] }[] = [
	{
		id: 'scaling',
		title: 'Scaling laws and the models they produced',
		papers: [
			{
				key: 'kaplan2020',
				note: 'The first broad measurement of loss as a power law in parameters, data and compute, with the rule C ≈ 6ND and the advice to spend extra compute mostly on parameters. Read §1 and Figure 1 for the whole story in two pages.',
				lessons: [1, 2]
			},
			{
				key: 'hoffmann2022',
				note: 'Chinchilla: three ways of finding the compute-optimal model, all saying parameters and tokens should grow together. Its Eq 10 fit is the one lesson 2 lets you spend a budget with.',
				lessons: [1, 2]
			},
			{
				key: 'besiroglu2024',
				note: 'A replication of Chinchilla’s parametric fit from its own figure, with a refit that agrees with the paper’s other two methods; a short lesson in how fragile fitted constants are.',
				lessons: [2]
			},
			{
				key: 'porian2024',
				note: 'Traces the Kaplan–Chinchilla disagreement to what was counted and how the runs were tuned, and recovers Chinchilla’s allocation once those are fixed.',
				lessons: [2]
			},
			{
				key: 'pearce2024',
				note: 'Shows that leaving embedding parameters out of the count, at small sizes, is by itself enough to turn a Chinchilla-like law into Kaplan’s.',
				lessons: [2]
			},
			{
				key: 'radford2019',
				note: 'GPT-2: the 1.5B model at the left edge of lesson 1’s figure, and the report that made zero-shot language modelling a research programme.',
				lessons: [1]
			},
			{
				key: 'brown2020',
				note: 'GPT-3: Table 2.1 lists the shapes of eight model sizes, the numbers lesson 1 and lesson 3’s calculator use for the 175B model.',
				lessons: [1, 2, 3]
			},
			{
				key: 'rae2021',
				note: 'Gopher, 280B parameters on 300B tokens, the model Chinchilla beat at the same compute; its memory discussion shows what training at that scale costs.',
				lessons: [1, 2]
			},
			{
				key: 'chowdhery2022',
				note: 'PaLM, 540B parameters with multi-query attention: the largest dense model in lesson 1’s figure.',
				lessons: [1]
			},
			{
				key: 'touvron2023a',
				note: 'LLaMA: open models trained on far more tokens than Chinchilla asks for; LLaMA 65B is the model QLoRA fine-tuned on one GPU.',
				lessons: [1, 3]
			},
			{
				key: 'touvron2023b',
				note: 'Llama 2: the 7B and 70B models the course’s memory numbers and code snippets use, with their sizes, context lengths and training tokens in Table 1.',
				lessons: [1, 2, 4, 6]
			},
			{
				key: 'dubey2024',
				note: 'The Llama 3 herd, up to 405B parameters and 15.6T tokens, with grouped-query attention; the right edge of lesson 1’s figure.',
				lessons: [1, 2]
			}
		]
	},
	{
		id: 'memory',
		title: 'What training costs in memory',
		papers: [
			{
				key: 'rajbhandari2019',
				note: 'ZeRO: the 16-bytes-per-parameter tally of mixed-precision Adam and how sharding divides it across devices; the source of lesson 3’s model-state numbers.',
				lessons: [1, 2, 3, 6]
			},
			{
				key: 'kingma2015',
				note: 'Adam itself: the two moment estimates per parameter that make up most of the optimizer state PEFT avoids.',
				lessons: [3]
			},
			{
				key: 'micikevicius2018',
				note: 'Mixed-precision training: why 16-bit weights and gradients need an fp32 master copy, one of the four bytes-per-parameter terms.',
				lessons: [3]
			},
			{
				key: 'korthikanti2022',
				note: 'The per-layer activation formula lesson 3 uses, s·b·h·(34 + 5as/h) bytes, and what selective recomputation saves.',
				lessons: [3]
			},
			{
				key: 'chen2016',
				note: 'Gradient checkpointing: keep a few layers’ inputs and recompute the rest, trading compute for activation memory.',
				lessons: [3]
			},
			{
				key: 'dao2022',
				note: 'FlashAttention: exact attention that never stores the s × s score matrix, removing the term of activations that grows with the square of the sequence.',
				lessons: [3]
			},
			{
				key: 'dettmers2022',
				note: '8-bit optimizers: Adam’s two moments in block-wise 8-bit quantisation, a quarter of their 32-bit size, at the accuracy of 32-bit Adam.',
				lessons: [3]
			},
			{
				key: 'dettmers2023',
				note: 'QLoRA: 4-bit NormalFloat, double quantisation and paged optimizers, which put a 65B fine-tune on one 48 GB GPU; read §3 for the bytes.',
				lessons: [1, 3]
			}
		]
	},
	{
		id: 'methods',
		title: 'Parameter-efficient methods',
		papers: [
			{
				key: 'hu2021',
				note: 'LoRA: the update as a product of two thin matrices, with the GPT-3 memory and checkpoint savings and §7’s study of which directions the adapters learn. The paper every lesson returns to.',
				lessons: [1, 3, 4, 5, 6]
			},
			{
				key: 'houlsby2019',
				note: 'Adapters: small bottleneck layers inserted into each transformer block, the first PEFT method to come close to full fine-tuning on GLUE while training a few per cent of the parameters.',
				lessons: [3]
			},
			{
				key: 'li2021',
				note: 'Prefix tuning: trained key and value vectors prepended at every layer, for generation tasks, with the reparameterisation that makes it train stably.',
				lessons: [3]
			},
			{
				key: 'lester2021',
				note: 'Prompt tuning: only a few input embeddings train, and the gap to full fine-tuning closes as the model grows.',
				lessons: [3]
			},
			{
				key: 'benzaken2022',
				note: 'BitFit: train only the biases (and the task head), a strikingly small set that does well on small-to-medium data.',
				lessons: [3, 5, 6]
			},
			{
				key: 'liu2022',
				note: '(IA)³: three learned rescaling vectors per layer, and a careful comparison of few-shot fine-tuning with in-context learning.',
				lessons: [3]
			},
			{
				key: 'kalajdzievski2023',
				note: 'rsLoRA: argues the scale should be α/√r rather than α/r so that large ranks keep learning; read it before raising the rank.',
				lessons: [4]
			}
		]
	},
	{
		id: 'low-rank',
		title: 'Low rank and intrinsic dimension',
		papers: [
			{
				key: 'eckart1936',
				note: 'The theorem behind every low-rank copy in lesson 4: the best rank-k approximation keeps the top k singular triplets.',
				lessons: [4]
			},
			{
				key: 'roy2007',
				note: 'Effective rank as the exponential of the singular-value entropy; why it reads far higher than the stable rank on a spectrum with a long tail (see the glossary).',
				lessons: [4]
			},
			{
				key: 'li2018',
				note: 'Intrinsic dimension: train in a random subspace and grow it until the model reaches 90% of its performance; the idea lesson 5 measures live.',
				lessons: [1, 4, 5]
			},
			{
				key: 'aghajanyan2020',
				note: 'Intrinsic dimension of fine-tuning pretrained language models: a few hundred parameters suffice for some tasks, and bigger models need fewer; the bridge from Li et al. to LoRA.',
				lessons: [1, 4, 5, 6]
			}
		]
	},
	{
		id: 'limits',
		title: 'When it works and when it fails',
		papers: [
			{
				key: 'biderman2024',
				note: 'LoRA learns less and forgets less: on code and maths with Llama 2 7B, full fine-tuning wins on large continued pretraining and its updates have far higher rank. The paper behind lessons 5 and 6.',
				lessons: [1, 4, 5, 6]
			},
			{
				key: 'mccloskey1989',
				note: 'The original account of catastrophic interference: training on a new task can wipe out an old one.',
				lessons: [5]
			},
			{
				key: 'kirkpatrick2017',
				note: 'Elastic weight consolidation: keep the weights that mattered for the old task close to their values, a regulariser against forgetting.',
				lessons: [5]
			},
			{
				key: 'kumar2022',
				note: 'Fine-tuning can distort pretrained features: full fine-tuning from a poor head hurts out-of-distribution accuracy, and probing first (LP-FT) avoids it.',
				lessons: [6]
			}
		]
	}
];

/** Practical resources: code, documentation and teaching the lessons lead to. */
export const RESOURCES: Resource[] = [
	{
		id: 'hf-peft',
		title: 'PEFT documentation',
		by: 'Hugging Face',
		url: 'https://huggingface.co/docs/peft/index',
		note: 'The library behind the course’s code snippets: LoraConfig, get_peft_model, and configs for prefix and prompt tuning, (IA)³ and more, with task guides. Where to go after lessons 3–6’s “Try it at home”.',
		lessons: [3, 4, 5, 6]
	},
	{
		id: 'raschka-lora-tips',
		title: 'Practical Tips for Finetuning LLMs Using LoRA',
		by: 'Sebastian Raschka',
		url: 'https://magazine.sebastianraschka.com/p/practical-tips-for-finetuning-llms',
		note: 'Hundreds of LoRA and QLoRA runs summarised as advice on rank, α, target layers, optimizers and memory; a practitioner’s companion to the course summary’s decision guide.',
		lessons: [3, 4, 6]
	},
	{
		id: 'distill',
		title: 'Distill',
		by: 'the Distill editors',
		url: 'https://distill.pub/',
		note: 'Research articles built around explorable figures, the model for this course’s figures; “Why Momentum Really Works” is a good companion to the optimizer terms of lesson 3.',
		lessons: [2, 4]
	},
	{
		id: 'd2l',
		title: 'Dive into Deep Learning',
		by: 'Zhang, Lipton, Li and Smola',
		url: 'https://d2l.ai/',
		note: 'An open textbook with runnable code and exercises in every section; its chapters on optimization, attention and fine-tuning fill in what the lessons assume.',
		lessons: [2, 3, 4]
	},
	{
		id: 'alammar',
		title: 'The Illustrated Transformer',
		by: 'Jay Alammar',
		url: 'https://jalammar.github.io/illustrated-transformer/',
		note: 'The transformer drawn matrix by matrix: where W_q, W_v and the MLP sit, the matrices LoRA adapts.',
		lessons: [3, 4]
	},
	{
		id: 'fastai',
		title: 'Practical Deep Learning for Coders',
		by: 'fast.ai',
		url: 'https://course.fast.ai/',
		note: 'A course that has you fine-tune real models at home from the first lesson; the habit the course’s lab and snippets try to build.',
		lessons: [5, 6]
	}
];
