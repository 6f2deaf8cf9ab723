# This lesson's comparison on a real model: LoRA on W_q and W_v at three ranks
# against full fine-tuning, each scored by the share of full fine-tuning's gain
# it recovers on held-out text. Phi-2 (2.7B), so that full fine-tuning fits one
# 80 GB GPU: lesson 3's model puts its weights, gradients and Adam state at
# 44.5 GB. Bring your own text, one passage per line, near to or far from what
# the base already writes.
# pip install torch transformers peft datasets accelerate
import torch
from datasets import load_dataset
from peft import LoraConfig, get_peft_model
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    DataCollatorForLanguageModeling,
    Trainer,
    TrainingArguments,
)

model_id = "microsoft/phi-2"
tok = AutoTokenizer.from_pretrained(model_id)
tok.pad_token = tok.eos_token
text = load_dataset(
    "text", data_files={"train": "train.txt", "test": "test.txt"}
)
text = text.filter(lambda row: row["text"].strip() != "")
data = text.map(
    lambda rows: tok(rows["text"], truncation=True, max_length=512),
    batched=True,
    remove_columns=["text"],
)


def test_loss(lr, rank=None):
    """Held-out loss in nats per token after one epoch at learning rate lr
    (lr=0: the base as it is). rank=None trains every weight; a rank trains
    LoRA on q_proj and v_proj only."""
    model = AutoModelForCausalLM.from_pretrained(
        model_id, dtype=torch.float32, device_map="cuda"
    )
    if rank is not None:
        lora = LoraConfig(
            r=rank,
            lora_alpha=2 * rank,
            target_modules=["q_proj", "v_proj"],
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    args = TrainingArguments(
        output_dir="out",
        learning_rate=lr,
        num_train_epochs=1,
        per_device_train_batch_size=8,
        # bf16 compute, fp32 weights and Adam: 16 bytes per trained parameter
        bf16=True,
        gradient_checkpointing=True,
        save_strategy="no",
        report_to=[],
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=data["train"],
        eval_dataset=data["test"],
        data_collator=DataCollatorForLanguageModeling(tok, mlm=False),
    )
    if lr > 0:
        trainer.train()
    return trainer.evaluate()["eval_loss"]


# Each method at its own learning rate, the best of a few, as in this lesson's
# language model figure. LoRA usually wants rates several times larger than full
# fine-tuning does; one shared rate would handicap one side and decide the
# comparison before it starts.
base = test_loss(0)
full = min(test_loss(lr) for lr in (1e-5, 3e-5, 1e-4))
for rank in (1, 4, 16):
    lora = min(test_loss(lr, rank) for lr in (1e-4, 3e-4, 1e-3))
    share = (base - lora) / (base - full)
    print(f"rank {rank}: {share:.0%} of full fine-tuning's gain")

# Trainable parameters (print_trainable_parameters() shows them): 327,680 at
# rank 1, 1,310,720 at rank 4 and 5,242,880 at rank 16, against all
# 2,779,683,840 for full fine-tuning. Judge the gap in absolute terms too (base,
# full and lora are in nats per token), and on a second seed before trusting a
# few points.
