"""Builds benign joblib and scikit-learn files covering every NumPy dtype family joblib writes out of band
(test/fixtures/real/), so the joblib array skipping is tested against the real writer, not our reading of it.

Needs python3-numpy, python3-joblib, python3-sklearn (Debian). Dumps only; nothing is loaded.
Rerun only to refresh them:

    /usr/bin/python3 scripts/build-joblib-fixtures.py
"""
import io
import pickle
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.neighbors import KNeighborsClassifier

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "real"
OUT.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, data):
    (OUT / name).write_bytes(data)


def joblib_bytes(obj, **kw):
    buf = io.BytesIO()
    joblib.dump(obj, buf, **kw)
    return buf.getvalue()


arrays = {
    "bytes-S8": np.array([b"ab", b"abcdefgh"], dtype="S8"),
    "unicode-U5": np.array(["a", "hello"], dtype="U5"),
    "void-V3": np.zeros(2, dtype="V3"),
    "longdouble": np.zeros(3, dtype=np.longdouble),
    "clongdouble": np.zeros(1, dtype=np.clongdouble),
    "bool": np.array([True, False]),
    "int8": np.arange(5, dtype=np.int8),
    "uint16-big-endian": np.arange(3, dtype=">u2"),
    "float16": np.zeros(2, dtype=np.float16),
    "complex64": np.zeros(2, dtype=np.complex64),
    "datetime64": np.array(["2024-01-01"], dtype="datetime64[D]"),
    "timedelta64": np.array([1, 2], dtype="timedelta64[ms]"),
    "zero-d": np.array(3.5),
    "empty": np.zeros((0, 4)),
    "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    "structured": np.zeros(2, dtype=[("x", "<f8"), ("name", "S3"), ("n", "<i2")]),
    "structured-aligned": np.zeros(2, dtype=np.dtype([("a", "u1"), ("b", "<f8")], align=True)),
    "subarray": np.zeros(2, dtype=[("v", "<f4", (3,))]),
    "record": np.rec.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f8")]),
    "structured-with-object": np.array([(1, {"k": 1}), (2, None)], dtype=[("n", "<i8"), ("o", "O")]),
    "object-subarray": np.zeros(2, dtype=[("o", "O", (2,))]),
    "object": np.array([1, "a", None], dtype=object),
}
save("joblib-dtypes.joblib", joblib_bytes(arrays))
save("joblib-dtypes-zlib.joblib", joblib_bytes(arrays, compress=("zlib", 3)))

X = rng.normal(size=(30, 3))
y = (X[:, 0] > 0).astype(int)
for algorithm in ["kd_tree", "ball_tree"]:
    model = KNeighborsClassifier(n_neighbors=3, algorithm=algorithm).fit(X, y)
    save(f"sklearn-kneighbors-{algorithm}.joblib", joblib_bytes(model))
    save(f"sklearn-kneighbors-{algorithm}.pkl", pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
print("sklearn", sklearn.__version__, "joblib", joblib.__version__, "numpy", np.__version__)
