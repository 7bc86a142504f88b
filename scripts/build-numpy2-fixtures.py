"""Builds benign NumPy 2 files (test/fixtures/real/numpy2-*): NumPy 2's StringDType arrays are saved as object
arrays whose pickle calls numpy._core._internal._convert_to_stringdtype_kwargs.

Needs NumPy >= 2.0 (Debian ships 1.x: use a virtual environment, `pip install numpy`). Dumps only; nothing is
loaded. Rerun only to refresh them:

    python3 scripts/build-numpy2-fixtures.py
"""
from pathlib import Path

import numpy as np
from numpy.dtypes import StringDType

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "real"
np.save(OUT / "numpy2-stringdtype.npy", np.array(["a", "bb", None], dtype=StringDType(na_object=None)))
np.savez(OUT / "numpy2-mixed.npz", s=np.array(["abc"], dtype=StringDType()), o=np.array([None], dtype=object), f=np.ones(3))
print("numpy", np.__version__)
