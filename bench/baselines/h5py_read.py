# h5py baseline for h5_event_read_ms / h5_stream_events_per_s: python3 h5py_read.py FILE.h5 [...]
# Prints one JSON object per file. bench/h5.ts runs it on the same files in the same run.
# With --write-jets OUT.h5 N it instead writes an h5py gzip jet file (chunks of one event, h5py's
# default gzip level 4; ~5 % of pixels lit, like a jet image) for the bench to read.
import h5py, numpy as np, time, sys, statistics, json

if sys.argv[1] == '--write-jets':
    out, n = sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(1)
    with h5py.File(out, 'w') as f:
        d = f.create_dataset('X_jets', shape=(n, 125, 125, 3), dtype='f4', chunks=(1, 125, 125, 3), compression='gzip')
        for s in range(0, n, 100):
            x = np.zeros((min(100, n - s), 125, 125, 3), dtype='f4')
            lit = rng.random(x.shape) < 0.05
            x[lit] = rng.exponential(1.0, lit.sum()).astype('f4')
            d[s:s + len(x)] = x
        for key in ('m0', 'pt', 'y'):
            f.create_dataset(key, data=rng.random(n).astype('f4'))
    sys.exit(0)

for path in sys.argv[1:]:
    with h5py.File(path, 'r') as f:
        X = f['X_jets']; n = X.shape[0]; rng = np.random.default_rng(1)
        for i in rng.integers(0, n, 20): X[i]
        times = []
        for i in rng.integers(0, n, 200):
            t = time.perf_counter(); X[int(i)]; times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter(); k = 0
        for s in range(0, min(n, 20000), 256): X[s:s+256]; k += min(256, n - s)
        rate = k / (time.perf_counter() - t)
        print(json.dumps({'file': path, 'h5py_event_read_ms_median': round(statistics.median(times), 4), 'h5py_stream_events_per_s': round(rate)}), flush=True)
