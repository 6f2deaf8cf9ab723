# This lesson's remedies on Llama 2 7B (gated: accept its licence on Hugging
# Face and run `huggingface-cli login`). When a task needs more than W_q and W_v
# can give, adapt every linear layer; when it brings tokens the base never
# learned, as code brought characters the English model had never seen, train
# the embedding and the output layer as well.
# pip install torch transformers peft accelerate
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "meta-llama/Llama-2-7b-hf"
tok = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(
    model_id, dtype=torch.bfloat16, device_map="auto"
)

# New tokens get new rows in the embedding and the output layer. LoRA on the
# layers between cannot teach the model what those rows mean; training the two
# layers can.
tok.add_tokens(["<think>", "</think>"])
model.resize_token_embeddings(len(tok))

config = LoraConfig(
    r=16,
    lora_alpha=32,
    # q, k, v, o and the MLP's gate, up and down projections; not lm_head
    target_modules="all-linear",
    # trained in full beside the adapters, and saved with them
    modules_to_save=["embed_tokens", "lm_head"],
    task_type="CAUSAL_LM",
)
model = get_peft_model(model, config)
model.print_trainable_parameters()
# trainable params: 302,137,344 || all params: 7,040,569,344 || trainable%: 4.2914

# Without the new tokens and modules_to_save, the same LoRA prints
# trainable params: 39,976,960 || all params: 6,778,392,576 || trainable%: 0.5898
# The two full layers hold 262,160,384 of the trainable parameters. In lesson 3's
# model (mixed-precision Adam, 16 bytes per trained parameter) they add 4.2 GB
# to a training step, where the LoRA matrices add 0.6 GB.
