# A straightforward PyTorch DQN on Catch with Quarkade's default config, for comparison only.
import json, random, time, statistics, sys
import numpy as np, torch, torch.nn as nn
def run(seed):
    random.seed(seed); np.random.seed(seed); torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 3))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    cap, S, A, R, S2, D = 1000, np.zeros((1000, 100), np.float32), np.zeros(1000, np.int64), np.zeros(1000, np.float32), np.zeros((1000, 100), np.float32), np.zeros(1000, np.float32)
    size = cur = 0; wins = []; t0 = time.perf_counter()
    for ep in range(2000):
        eps = 1.0 + min(1, ep / 300) * (0.1 - 1.0)
        fr, fc, b = 0, np.random.randint(0, 9), np.random.randint(1, 8)
        def obs():
            o = np.zeros((10, 10), np.float32); o[fr, fc] = 1; o[9, b-1:b+2] = 1; return o.reshape(-1)
        s = obs()
        while True:
            if random.random() < eps: a = random.randrange(3)
            else:
                with torch.no_grad(): a = int(net(torch.from_numpy(s)[None]).argmax())
            b = min(max(1, b + (a - 1)), 8); fr += 1
            r = 0.0 if fr < 9 else (1.0 if abs(fc - b) <= 1 else -1.0); done = fr == 9
            s2 = obs(); S[cur], A[cur], R[cur], S2[cur], D[cur] = s, a, r, s2, done
            cur = (cur + 1) % cap; size = min(size + 1, cap); s = s2
            if size >= 50:
                idx = np.random.randint(0, size, 50)
                with torch.no_grad():
                    y = torch.from_numpy(R[idx]) + 0.9 * net(torch.from_numpy(S2[idx])).max(1).values * (1 - torch.from_numpy(D[idx]))
                q = net(torch.from_numpy(S[idx])).gather(1, torch.from_numpy(A[idx])[:, None]).squeeze(1)
                loss = ((q - y) ** 2).mean(); opt.zero_grad(); loss.backward(); opt.step()
            if done: break
        wins.append(r == 1.0)
        if len(wins) >= 100 and sum(wins[-100:]) >= 90: return time.perf_counter() - t0, ep + 1
    return None, None
threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
torch.set_num_threads(threads)
res = [run(s) for s in (0, 1, 2)]
print(json.dumps({'torch_catch_time_to_win90_s_median': round(statistics.median([r[0] for r in res]), 3), 'seconds': [round(r[0], 3) for r in res], 'episodes': [r[1] for r in res], 'threads': threads, 'torch': torch.__version__}))
