"""How far PyTorch's own bfloat16 autocast moves a training curve from float32, on Cria's tiny preset and data.
usage: bf16_parity.py RUN_DIR [steps] [seed]   (RUN_DIR: a `cria pretrain --preset tiny` run, for its data/train.bin and val.bin)
Trains the same model from the same initial weights on the same batches twice, float32 and bfloat16 autocast,
with Cria's pretraining defaults (batch 16, T=256, AdamW 3e-3 with 50 warm-up steps and a cosine to 3e-4,
weight decay 0.1 off norms and embeddings, clipping at 1.0), and prints the validation loss every 100 steps.
Environment:
  INIT=cria      start as Cria does (norm weights 1, o_proj and down_proj scaled by 1/sqrt(2·layers))
                 instead of refllama's init (norm weights 1 + 0.1·N(0,1), no scaling)
  INIT=FILE      start from these weights instead (a .safetensors file: Cria's own initial weights, saved
                 by `cria pretrain --preset tiny --steps 1 --lr 1e-30 --min-lr 1e-30 --warmup 0 --seed S`)
  LR_SCALE=1.001 compare float32 against float32 with the peak learning rate times this, instead of
                 against bfloat16: how far a change that small moves the curve"""
import math, os, sys, struct
import numpy as np, torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(__file__))
import refllama as R

run, steps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
lr_scale = float(os.environ.get("LR_SCALE", "0")) or None
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(int(os.environ.get("THREADS", "2")))

def tokens(path):
    with open(path, "rb") as f:
        head = f.read(32)
        assert head[:8] == b"CRIATOKS", path
        width, count = struct.unpack("<iq", head[12:24])
        return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint16 if width == 2 else np.int32).astype(np.int64))

train, val = tokens(os.path.join(run, "data", "train.bin")), tokens(os.path.join(run, "data", "val.bin"))
B, T, lr, min_lr, warmup = 16, 256, 3e-3, 3e-4, 50
cfg = R.make_config(64, 5, 8, 4, 172, 512, 512, tie=True)

def windows(stream, gen, n):
    starts = torch.randint(0, len(stream) - T - 1, (n,), generator=gen)
    x = torch.stack([stream[s:s + T + 1] for s in starts.tolist()])
    return x[:, :-1], x[:, 1:]

def rate(step, lr=lr):
    if step < warmup: return lr * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * p))

def initial_weights():
    if os.environ.get("INIT", "").endswith(".safetensors"):
        return R.load_safetensors(os.environ["INIT"])
    W = R.init_weights(cfg, seed=seed)
    if os.environ.get("INIT") == "cria":
        for k in W:
            if "layernorm" in k or k == "model.norm.weight": W[k] = torch.ones_like(W[k])
            if "o_proj" in k or "down_proj" in k: W[k] = W[k] / math.sqrt(2 * cfg["num_hidden_layers"])
    return W

def curve(bf16, peak=lr):
    W = {k: v.clone().requires_grad_() for k, v in initial_weights().items()}
    decay = [w for k, w in W.items() if w.dim() == 2 and "embed" not in k]
    rest = [w for k, w in W.items() if not (w.dim() == 2 and "embed" not in k)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.95))
    batches, evals, losses = torch.Generator().manual_seed(6 + seed), torch.Generator().manual_seed(7 + seed), {}
    held_out = [windows(val, evals, B) for _ in range(20)]
    for step in range(steps):
        for g in opt.param_groups: g["lr"] = rate(step, peak)
        x, y = windows(train, batches, B)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = R.forward(cfg, W, x)
            loss = F.cross_entropy(logits.float().reshape(-1, 512), y.reshape(-1))
        opt.zero_grad(set_to_none=True); loss.backward()
        torch.nn.utils.clip_grad_norm_(W.values(), 1.0); opt.step()
        if (step + 1) % 100 == 0 or step + 1 == steps:
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                losses[step + 1] = sum(F.cross_entropy(R.forward(cfg, W, vx).float().reshape(-1, 512), vy.reshape(-1)).item()
                                       for vx, vy in held_out) / len(held_out)
    return losses

f32 = curve(False)
bf16 = curve(False, lr * lr_scale) if lr_scale else curve(True)
second = f"PyTorch float32, peak lr × {lr_scale}" if lr_scale else "PyTorch bfloat16 autocast"
print(f"| Step | PyTorch float32 | {second} | Difference |")
print("|---|---|---|---|")
for step in f32:
    print(f"| {step} | {f32[step]:.4f} | {bf16[step]:.4f} | {100 * (bf16[step] - f32[step]) / f32[step]:+.2f}% |")
