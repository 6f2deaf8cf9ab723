# This lesson's spectrum on a real fine-tune: the update of one attention matrix
# between Llama 2 7B and its chat model, its singular values, and how many
# directions hold 90% of its energy. Only the shard holding that matrix is
# downloaded from each checkpoint (both are gated: accept their licences on
# Hugging Face and run `huggingface-cli login`).
# pip install torch huggingface_hub safetensors
import json

import torch
from huggingface_hub import hf_hub_download
from safetensors import safe_open


def load_weight(repo, name):
    """One weight matrix of a sharded safetensors checkpoint, in fp32."""
    with open(hf_hub_download(repo, "model.safetensors.index.json")) as f:
        shard = json.load(f)["weight_map"][name]
    with safe_open(hf_hub_download(repo, shard), framework="pt") as f:
        return f.get_tensor(name).float()


# W_q of layer 16 of 32: 4,096 × 4,096
name = "model.layers.15.self_attn.q_proj.weight"
W0 = load_weight("meta-llama/Llama-2-7b-hf", name)
W1 = load_weight("meta-llama/Llama-2-7b-chat-hf", name)
delta = W1 - W0  # the update, 16,777,216 numbers


def energy_rank(s, fraction=0.9):
    """The fewest top directions that hold `fraction` of the energy Σσᵢ²."""
    energy = s.square().cumsum(0) / s.square().sum()
    return int(torch.searchsorted(energy, fraction)) + 1


s = torch.linalg.svdvals(delta)  # all 4,096, largest first; a minute on a CPU
print(f"90% of the energy: {energy_rank(s)} of {len(s)} directions")
print(f"stable rank: {s.square().sum() / s[0].square():.1f}")

# The reference the lesson's figure draws: a random matrix of the same shape.
noise = torch.randn_like(delta)
k_random = energy_rank(torch.linalg.svdvals(noise))
print(f"random matrix: {k_random} of {len(s)} directions")

# A LoRA adapter of rank r on this matrix trains r × (4,096 + 4,096) numbers:
# 65,536 at rank 8, 0.39% of the update's 16,777,216. By Eckart–Young the best
# rank-r copy of the update keeps its top r directions, so energy_rank(s) is the
# smallest rank whose best copy holds 90% of the update's energy.
