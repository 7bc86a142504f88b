"""Builds small benign model files with the real tools, for false-positive tests (test/fixtures/real/).

Needs python3-torch, python3-numpy, python3-joblib, python3-sklearn (Debian). Dumps only; nothing is loaded.
The outputs are committed; rerun only to refresh them:

    /usr/bin/python3 scripts/build-real-fixtures.py
"""
import collections
import io
import pickle
from pathlib import Path

import joblib
import numpy as np
import sklearn
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "real"
OUT.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def save(name, data):
    (OUT / name).write_bytes(data)


def torch_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.bn = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(8, 2)
        self.emb = torch.nn.Embedding(5, 2)


net = Net()
save("torch-state-dict.pt", torch_bytes(net.state_dict()))
save("torch-state-dict-legacy.pt", torch_bytes(net.state_dict(), _use_new_zipfile_serialization=False))
save("torch-mixed-dtypes.pt", torch_bytes({
    "f16": torch.zeros(2, dtype=torch.float16), "bf16": torch.zeros(2, dtype=torch.bfloat16),
    "i64": torch.arange(3), "bool": torch.tensor([True]), "u8": torch.zeros(2, dtype=torch.uint8),
    "c64": torch.zeros(1, dtype=torch.complex64), "param": torch.nn.Parameter(torch.ones(2)),
    "size": torch.Size([2, 3]), "dtype": torch.float32, "device": torch.device("cpu"),
    "nested": {"list": [torch.ones(1)], "tuple": (1, 2.0, "x")}, "none": None,
}))
optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3)
net(torch.zeros(1, 1, 3, 3)) if False else None
save("torch-checkpoint-with-optimizer.pt", torch_bytes({
    "epoch": 3, "model": net.state_dict(), "optimizer": optimizer.state_dict(),
    "scheduler": torch.optim.lr_scheduler.StepLR(optimizer, 1).state_dict(),
    "rng": torch.get_rng_state(), "args": {"lr": 1e-3, "name": "run-1"},
}))
save("torch-full-sequential.pt", torch_bytes(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.LayerNorm(2))))


class Scripted(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l = torch.nn.Linear(3, 2)

    def forward(self, x):
        return torch.relu(self.l(x))


ts_buf = io.BytesIO()
torch.jit.save(torch.jit.script(Scripted()), ts_buf)
save("torchscript-linear.pt", ts_buf.getvalue())
save("torch-tensor-protocol2-plainpickle.pkl", pickle.dumps({"w": torch.ones(2)}, protocol=2))

X = rng.normal(size=(40, 4))
y = (X[:, 0] > 0).astype(int)
models = {
    "sklearn-logreg": LogisticRegression().fit(X, y),
    "sklearn-forest": RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0).fit(X, y),
    "sklearn-gbm": GradientBoostingClassifier(n_estimators=2, max_depth=2, random_state=0).fit(X, y),
    "sklearn-tree": DecisionTreeClassifier(max_depth=2).fit(X, y),
    "sklearn-svc": SVC().fit(X, y),
    "sklearn-nb": GaussianNB().fit(X, y),
    "sklearn-kmeans": KMeans(n_clusters=2, n_init=1, random_state=0).fit(X),
    "sklearn-pca-pipeline": Pipeline([("s", StandardScaler()), ("p", PCA(2)), ("c", LogisticRegression())]).fit(X, y),
    "sklearn-onehot": OneHotEncoder().fit([["a"], ["b"]]),
    "sklearn-label": LabelEncoder().fit(["x", "y"]),
    "sklearn-tfidf": TfidfVectorizer().fit(["hello world", "goodbye world"]),
}
for name, model in models.items():
    save(f"{name}.pkl", pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
for compress in ["zlib", "gzip", "bz2", "lzma", "xz"]:
    buf = io.BytesIO()
    joblib.dump(models["sklearn-forest"], buf, compress=(compress, 3))
    save(f"joblib-forest-{compress}.joblib", buf.getvalue())
try:
    import lz4  # noqa: F401
    buf = io.BytesIO()
    joblib.dump(models["sklearn-forest"], buf, compress=("lz4", 3))
    save("joblib-forest-lz4.joblib", buf.getvalue())
except ImportError:
    print("lz4 not installed: no lz4 joblib fixture")
buf = io.BytesIO()
joblib.dump({"arr": np.arange(10.0), "obj": np.array([{"a": 1}, None], dtype=object), "model": models["sklearn-logreg"]}, buf)
save("joblib-uncompressed-arrays.joblib", buf.getvalue())

buf = io.BytesIO(); np.save(buf, np.arange(6, dtype=np.int64).reshape(2, 3)); save("numpy-int.npy", buf.getvalue())
buf = io.BytesIO(); np.save(buf, np.array([1, "a", None], dtype=object), allow_pickle=True); save("numpy-object.npy", buf.getvalue())
buf = io.BytesIO(); np.savez_compressed(buf, a=np.ones(3), b=np.array(["x"], dtype=object)); save("numpy-mixed.npz", buf.getvalue())
save("numpy-pickled-array.pkl", pickle.dumps({"a": np.ones((2, 2)), "s": np.float64(1.5), "d": np.dtype("int32")}, protocol=2))
save("collections-and-stdlib.pkl", pickle.dumps({
    "od": collections.OrderedDict(a=1), "dd": collections.defaultdict(int), "c": collections.Counter("ab"),
    "set": {1, 2}, "fs": frozenset({3}), "ba": bytearray(b"x"), "cx": complex(1, 2),
}, protocol=2))
print(sorted(p.name for p in OUT.iterdir()), "sklearn", sklearn.__version__, "torch", torch.__version__, "numpy", np.__version__)
