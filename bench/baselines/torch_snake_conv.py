# PyTorch's gradient steps/s for qlearning4k's Snake conv Q-network (Quarkade's `snake-v1` DQN defaults), for comparison only.
# Same work per step as Quarkade's DQN: Q(S') without gradients for the max, Q(S, a) with, squared TD error, RMSprop.
# Usage: torch_snake_conv.py [threads] [device: cpu (default) or cuda]
import json, time, statistics, sys, torch, torch.nn as nn
threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads(); torch.set_num_threads(threads); torch.manual_seed(0)
dev = torch.device(sys.argv[2] if len(sys.argv) > 2 else 'cpu')
sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
B, F, S, A = 64, 4, 10, 5
net = nn.Sequential(nn.Conv2d(F, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 6 * 6, 256), nn.ReLU(), nn.Linear(256, A)).to(dev)
# Keras' RMSprop defaults (ρ 0.9, ε 1e-7), as Quarkade's.
opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
g = torch.Generator().manual_seed(0)
states = (torch.rand(1000, F, S, S, generator=g) < 0.05).float(); nexts = (torch.rand(1000, F, S, S, generator=g) < 0.05).float()
actions = torch.randint(0, A, (1000,), generator=g); rewards = torch.randn(1000, generator=g); dones = (torch.rand(1000, generator=g) < 0.1).float()
states, nexts, actions, rewards, dones = (t.to(dev) for t in (states, nexts, actions, rewards, dones))
def step():
    idx = torch.randint(0, 1000, (B,), device=dev)
    with torch.no_grad(): y = rewards[idx] + 0.8 * net(nexts[idx]).max(1).values * (1 - dones[idx])
    q = net(states[idx]).gather(1, actions[idx][:, None]).squeeze(1)
    loss = ((q - y) ** 2).mean(); opt.zero_grad(); loss.backward(); opt.step()
for _ in range(30): step()
sync()
rates = []
for _ in range(5):
    t = time.perf_counter(); [step() for _ in range(60)]; sync(); rates.append(60 / (time.perf_counter() - t))
print(json.dumps({'torch_snake_conv_grad_steps_per_s_median': round(statistics.median(rates), 1), 'runs': [round(r, 1) for r in rates], 'threads': threads, 'device': str(dev), 'torch': torch.__version__}))
