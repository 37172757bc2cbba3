"""Files for the LArTPC read benches (bench/lartpc-data.ts), written by real scipy and h5py.

usage: lartpc_files.py npz RAW OUT_DIR N H W   -- RAW holds N float32 H x W energies then N uint8 labels;
                                                 writes image{k}/label{k}.npy.npz with save_npz (deflated)
       lartpc_files.py pilarnet OUT.h5 N SEED   -- N PILArNet-M-like events (~7500 points in 10–29 clusters)
"""
import sys

import numpy as np


def npz(raw, out, n, h, w):
    import os

    import scipy.sparse as sp

    data = np.fromfile(raw, dtype=np.uint8)
    energy = data[: n * h * w * 4].view(np.float32).reshape(n, h, w)
    label = data[n * h * w * 4 :].reshape(n, h, w)
    os.makedirs(out, exist_ok=True)
    for k in range(n):
        sp.save_npz(os.path.join(out, f"image{k}.npy.npz"), sp.csr_matrix(energy[k]))
        sp.save_npz(os.path.join(out, f"label{k}.npy.npz"), sp.csr_matrix(label[k]))


def pilarnet(out, n, seed):
    import h5py

    rng = np.random.default_rng(seed)
    dt = h5py.vlen_dtype(np.dtype("float32"))
    with h5py.File(out, "w") as f:
        point = f.create_dataset("point", (n,), dtype=dt)
        cluster = f.create_dataset("cluster", (n,), dtype=dt)
        extra = f.create_dataset("cluster_extra", (n,), dtype=dt)
        for i in range(n):
            clusters = rng.integers(10, 30)
            counts = rng.integers(50, 700, size=clusters)
            types = rng.integers(0, 5, size=clusters)
            pts = []
            for c in range(clusters):
                start = rng.uniform(100, 668, size=3)
                steps = rng.normal(0, 1, size=(counts[c], 3)).cumsum(axis=0)
                xyz = np.clip(start + steps, 0, 767.9)
                e = rng.exponential(0.5, size=(counts[c], 1))
                pts.append(np.hstack([xyz, np.ones((counts[c], 1)), e, np.zeros((counts[c], 1)), e * 100, np.full((counts[c], 1), 0.3)]))
            point[i] = np.vstack(pts).astype(np.float32).ravel()
            cl = np.zeros((clusters, 5), dtype=np.float32)
            cl[:, 0] = counts
            cl[:, 4] = types
            cluster[i] = cl.ravel()
            extra[i] = np.zeros(clusters * 5, dtype=np.float32)


if __name__ == "__main__":
    if sys.argv[1] == "npz":
        npz(sys.argv[2], sys.argv[3], *map(int, sys.argv[4:7]))
    else:
        pilarnet(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
