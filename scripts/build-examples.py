"""Builds the binary files of examples/ml-project with the real tools (PyTorch, NumPy, joblib, scikit-learn).

Run once by a developer (needs python3-torch, python3-numpy, python3-joblib, python3-sklearn); the outputs
are committed so a fresh clone needs no Python. Only dumps are made here; nothing is ever loaded.

The "malicious" file carries a harmless payload (`echo`), to show what pedigree reports.

    python3 scripts/build-examples.py
"""
import io
import pickle
import struct
import zipfile
from pathlib import Path

import joblib
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parent.parent / "examples" / "ml-project"
torch.manual_seed(0)
rng = np.random.default_rng(0)


def tiny_model():
    return torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# 1. A PyTorch checkpoint (zip format, the default since PyTorch 1.6): benign.
buf = io.BytesIO()
torch.save(tiny_model().state_dict(), buf)
write(ROOT / "checkpoints" / "classifier.pt", buf.getvalue())

# 2. The same weights in PyTorch's legacy format (stacked pickles + raw storages): benign.
buf = io.BytesIO()
torch.save(tiny_model().state_dict(), buf, _use_new_zipfile_serialization=False)
write(ROOT / "checkpoints" / "classifier-legacy.pth", buf.getvalue())

# 3. A scikit-learn pipeline saved with joblib, zlib-compressed: benign.
X = rng.normal(size=(64, 8))
y = (X[:, 0] > 0).astype(int)
pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(X, y)
buf = io.BytesIO()
joblib.dump(pipe, buf, compress=("zlib", 3))
write(ROOT / "checkpoints" / "preprocessor.joblib", buf.getvalue())

# 4. NumPy arrays: benign.
buf = io.BytesIO()
np.save(buf, rng.normal(size=(16, 8)).astype(np.float32))
write(ROOT / "data" / "embeddings.npy", buf.getvalue())

# 5. A plain pickle of a vocabulary: benign.
write(ROOT / "data" / "vocab.pkl", pickle.dumps({"<pad>": 0, "<unk>": 1, "hello": 2, "world": 3}, protocol=4))

# 6. A "downloaded" checkpoint whose data.pkl also calls os.system (pickled as posix.system) with a
#    harmless command: a real PyTorch zip with one extra REDUCE spliced in front of the state dict.
class Payload:
    def __reduce__(self):
        import os
        return (os.system, ("echo pedigree demo payload: this would run on torch.load",))


buf = io.BytesIO()
torch.save(tiny_model().state_dict(), buf)
src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
out = io.BytesIO()
with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename.endswith("/data.pkl"):
            # (payload, state_dict)[1]-like: a tuple whose first item runs the command when loaded
            evil = pickle.dumps(Payload(), protocol=2)[2:-1]  # drop PROTO and STOP
            assert data[:2] == b"\x80\x02"
            data = b"\x80\x02" + evil + b"0" + data[2:]  # run payload, POP its result, then the real pickle
        dst.writestr(info, data)
write(ROOT / "downloads" / "pytorch_model.bin", out.getvalue())

print("wrote", sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()))
