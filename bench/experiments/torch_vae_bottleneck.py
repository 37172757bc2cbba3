# Where the jets VAE's reconstruction error comes from (issue 12; docs/benchmarks.md, "VAE reconstructions
# with the defaults"): the reference VAE's training as Quarkade runs it (per-channel scale, per-pixel
# standardised asinh input, output m + s·d with the last deconv at zero, batch 16, Adam 1e-3, KL warm-up
# over one epoch), with the bottleneck swapped. Prints the held-out MSE over the mean image's per epoch.
# Usage: torch_vae_bottleneck.py JETS.h5 ARCH [epochs] [beta]
#   JETS.h5: `quarkade gen jets --n 1024 --seed 0 --out JETS.h5`
#   ARCH: ref (Dense → 32-d z), spatialC (a 16×16×C latent map, 1×1 convs), ident (no bottleneck:
#         two 3×3 convs at full resolution — what a local network does with the same loss)
import sys, time, json, h5py, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1); torch.manual_seed(1)
path, arch = sys.argv[1], sys.argv[2]; epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 10; BETA = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
X = h5py.File(path)['X_jets'][:].astype(np.float32)  # N,125,125,3
rng = np.random.default_rng(1); idx = rng.permutation(len(X)); val, tr = idx[:96], idx[96:]
sc = np.sqrt((X[tr] ** 2).mean(axis=(0, 1, 2)))  # per-channel RMS
T = X / sc
m = T[tr].mean(0); s = T[tr].std(0) + 1e-3 * T[tr].std()
toT = lambda a: torch.tensor(a).permute(0, 3, 1, 2).contiguous()
Tt, mt, st = toT(T), toT(m[None])[0], toT(s[None])[0]
class VAE(nn.Module):
    def __init__(s, kind):
        super().__init__(); s.kind = kind
        s.enc = nn.Sequential(nn.Conv2d(3, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Conv2d(64, 128, 4, 2, 1), nn.ReLU())
        if kind == 'ident':
            s.net = nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1), nn.ReLU(), nn.Conv2d(32, 3, 3, 1, 1)); nn.init.zeros_(s.net[-1].weight); nn.init.zeros_(s.net[-1].bias); return
        if kind == 'ref':
            z = 32; s.head = nn.Linear(128 * 256, 2 * z); s.dec_in = nn.Linear(z, 128 * 256)
        else:
            c = int(kind[7:]); s.head = nn.Conv2d(128, 2 * c, 1); s.dec_in = nn.Conv2d(c, 128, 1)
        s.dec = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 3, 4, 2, 1))
        nn.init.zeros_(s.dec[-1].weight); nn.init.zeros_(s.dec[-1].bias)
    def forward(s, t, sample=True):
        x = torch.asinh((t - mt) / st)
        if s.kind == 'ident': z0 = torch.zeros(len(t), 1); return mt + st * s.net(x), z0, z0
        x = F.pad(x, (1, 2, 1, 2)); h = s.enc(x)
        if s.kind == 'ref': h = h.flatten(1)
        o = s.head(h); mu, lv = o.chunk(2, 1); lv = lv.clamp(-10, 2)
        zz = mu + torch.randn_like(mu) * (0.5 * lv).exp() if sample else mu
        d = s.dec_in(zz)
        d = F.relu(d).view(-1, 128, 16, 16) if s.kind == 'ref' else F.relu(d)
        d = s.dec(d)[:, :, 1:126, 1:126]
        return mt + st * d, mu.flatten(1), lv.flatten(1)
net = VAE(arch); opt = torch.optim.Adam(net.parameters(), 1e-3); B = 16
steps_per_epoch = len(tr) // B; t0 = time.time(); step = 0
def evaluate():
    with torch.no_grad():
        r, _, _ = net(Tt[val], sample=False)
    raw = r.permute(0, 2, 3, 1).numpy() * sc; xv = X[val]
    mse = ((raw - xv) ** 2).mean(); base = ((X[tr].mean(0)[None] - xv) ** 2).mean()
    per = [float(((raw[..., c] - xv[..., c]) ** 2).mean() / ((X[tr].mean(0)[None][..., c] - xv[..., c]) ** 2).mean()) for c in range(3)]
    eratio = [float(raw[..., c].sum() / xv[..., c].sum()) for c in range(3)]
    return float(mse / base), per, eratio
for ep in range(epochs):
    perm = rng.permutation(tr)
    for b in range(steps_per_epoch):
        t = Tt[perm[b * B:(b + 1) * B]]
        r, mu, lv = net(t)
        rec = ((r - t) ** 2).sum((1, 2, 3)).mean(); kl = (-0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(1)).mean()
        beta = BETA * min(1.0, step / steps_per_epoch)
        loss = rec + beta * kl; opt.zero_grad(); loss.backward(); opt.step(); step += 1
    r = evaluate()
    print(json.dumps({'arch': arch, 'epoch': ep + 1, 's': round(time.time() - t0), 'mse_ratio': round(r[0], 4), 'per_channel': [round(v, 3) for v in r[1]], 'energy': [round(v, 3) for v in r[2]], 'kl': round(float(kl), 1)}), flush=True)
