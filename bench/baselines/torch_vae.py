# PyTorch reference VAE (same architecture as Quarkade's), train-step images/s, for comparison only.
# Usage: torch_vae.py [threads] [device: cpu (default) or cuda]
import json, time, statistics, sys, torch, torch.nn as nn, torch.nn.functional as F
threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads(); torch.set_num_threads(threads); torch.manual_seed(0)
dev = torch.device(sys.argv[2] if len(sys.argv) > 2 else 'cpu')
sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
class VAE(nn.Module):
    def __init__(s, z=32):
        super().__init__()
        s.enc = nn.Sequential(nn.Conv2d(3, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Conv2d(64, 128, 4, 2, 1), nn.ReLU(), nn.Flatten())
        s.mu = nn.Linear(128 * 16 * 16, z); s.lv = nn.Linear(128 * 16 * 16, z); s.dec_in = nn.Linear(z, 128 * 16 * 16)
        s.dec = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 3, 4, 2, 1))
    def forward(s, x):
        x = F.pad(x, (1, 2, 1, 2)); h = s.enc(x); mu, lv = s.mu(h), s.lv(h)
        zz = mu + torch.randn_like(mu) * (0.5 * lv).exp(); out = s.dec(s.dec_in(zz).view(-1, 128, 16, 16))[:, :, 1:126, 1:126]
        return out, mu, lv
m = VAE().to(dev); opt = torch.optim.Adam(m.parameters(), 1e-3); x = torch.rand(32, 3, 125, 125, device=dev)
def step():
    out, mu, lv = m(x); rec = ((out - x) ** 2).sum((1, 2, 3)).mean(); kl = (-0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(1)).mean()
    loss = rec + kl; opt.zero_grad(); loss.backward(); opt.step()
for _ in range(3): step()
sync()
rates = []
for _ in range(5):
    t = time.perf_counter(); [step() for _ in range(3)]; sync(); rates.append(3 * 32 / (time.perf_counter() - t))
print(json.dumps({'torch_vae_images_per_s_median': round(statistics.median(rates), 1), 'runs': [round(r, 1) for r in rates], 'threads': threads, 'device': str(dev), 'torch': torch.__version__}))
