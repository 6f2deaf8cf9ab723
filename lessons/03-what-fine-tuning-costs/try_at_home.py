# Count what this lesson counts, on the real Llama 2 7B. The model is gated:
# accept its licence on Hugging Face and run `huggingface-cli login` first.
# Needs a CUDA GPU.
# pip install torch transformers peft bitsandbytes accelerate
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model_id = "meta-llama/Llama-2-7b-hf"

# LoRA as Hu et al. ran it: rank 8 on the query and value projections, base in
# 16 bits. (Before transformers 4.56, dtype= was called torch_dtype=.)
model = AutoModelForCausalLM.from_pretrained(
    model_id, dtype=torch.bfloat16, device_map="auto"
)
lora = LoraConfig(
    r=8,
    lora_alpha=16,
    target_modules=["q_proj", "v_proj"],
    task_type="CAUSAL_LM",
)
model = get_peft_model(model, lora)
model.print_trainable_parameters()
# trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622
print(f"weights: {model.get_memory_footprint() / 1e9:.1f} GB")
# weights: 13.5 GB

del model
torch.cuda.empty_cache()

# QLoRA as Dettmers et al. ran it: the frozen base in 4-bit NormalFloat with
# double-quantised scales, rank 64 on every linear layer, computing in bfloat16.
bnb = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_use_double_quant=True,
    bnb_4bit_compute_dtype=torch.bfloat16,
)
model = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb, device_map="auto"
)
qlora = LoraConfig(
    r=64, lora_alpha=16, target_modules="all-linear", task_type="CAUSAL_LM"
)
model = get_peft_model(model, qlora)
model.print_trainable_parameters()
# trainable params: 159,907,840 || all params: 6,898,323,456 || trainable%: 2.3181

# What the calculator above predicts for one training step (one sequence of 512
# tokens, gradient checkpointing, Adam); real runs need somewhat more, for
# logits and workspace.
#                      step      weights   trainable parameters
#   full fine-tuning   107.9 GB  13.5 GB   6,738,415,616
#   LoRA, r = 8         13.7 GB  13.5 GB   4,194,304
#   QLoRA, r = 64        5.9 GB   4.2 GB   159,907,840
# QLoRA stores the base matrices at 4.127 bits per parameter.
# Measure a real one: torch.cuda.max_memory_allocated() after a training step.
