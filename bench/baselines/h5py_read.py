# h5py baseline for h5_event_read_ms / h5_stream_events_per_s: python3 h5py_read.py FILE.h5 [...]
import h5py, numpy as np, time, sys, statistics
for path in sys.argv[1:]:
    with h5py.File(path, 'r') as f:
        X = f['X_jets']; n = X.shape[0]; rng = np.random.default_rng(1)
        for i in rng.integers(0, n, 20): X[i]
        times = []
        for i in rng.integers(0, n, 200):
            t = time.perf_counter(); X[int(i)]; times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter(); k = 0
        for s in range(0, n, 256): X[s:s+256]; k += min(256, n - s)
        rate = k / (time.perf_counter() - t)
        print({'file': path, 'h5py_event_read_ms_median': round(statistics.median(times), 4), 'h5py_stream_events_per_s': round(rate)})
