"""How far PyTorch's own bfloat16 autocast moves a training curve from float32, on Cria's tiny preset and data.
usage: bf16_parity.py RUN_DIR [steps] [seed]   (RUN_DIR: a `cria pretrain --preset tiny` run, for its data/train.bin and val.bin)
Trains the same model from the same initial weights on the same batches twice, float32 and bfloat16 autocast,
with Cria's pretraining defaults (batch 16, T=256, AdamW 3e-3 with 50 warm-up steps and a cosine to 3e-4,
weight decay 0.1 off norms and embeddings, clipping at 1.0), and prints the validation loss every 100 steps."""
import math, os, sys, struct
import numpy as np, torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(__file__))
import refllama as R

run, steps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
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

def rate(step):
    if step < warmup: return lr * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * p))

def curve(bf16):
    W = {k: v.clone().requires_grad_() for k, v in R.init_weights(cfg, seed=seed).items()}
    decay = [w for k, w in W.items() if w.dim() == 2 and "embed" not in k]
    rest = [w for k, w in W.items() if not (w.dim() == 2 and "embed" not in k)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.95))
    batches, evals, losses = torch.Generator().manual_seed(6 + seed), torch.Generator().manual_seed(7 + seed), {}
    held_out = [windows(val, evals, B) for _ in range(20)]
    for step in range(steps):
        for g in opt.param_groups: g["lr"] = rate(step)
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

f32, bf16 = curve(False), curve(True)
print("| Step | PyTorch float32 | PyTorch bfloat16 autocast | Difference |")
print("|---|---|---|---|")
for step in f32:
    print(f"| {step} | {f32[step]:.4f} | {bf16[step]:.4f} | {100 * (bf16[step] - f32[step]) / f32[step]:+.2f}% |")
