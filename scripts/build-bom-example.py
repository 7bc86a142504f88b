"""Builds the safetensors weights of examples/ml-project/models/review-sentiment (stdlib only).

The file follows the safetensors format (https://github.com/huggingface/safetensors#format): an 8-byte
little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, then the
tensor bytes. The values are deterministic and meaningless: the example shows what `pedigree bom` records
(format, parameter count, SHA-256), not a useful model.

    python3 scripts/build-bom-example.py
"""
import json
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "examples" / "ml-project" / "models" / "review-sentiment"

# A two-layer classifier head: 16 -> 8 -> 2, float32.
tensors = {
    "classifier.dense.weight": (8, 16),
    "classifier.dense.bias": (8,),
    "classifier.out_proj.weight": (2, 8),
    "classifier.out_proj.bias": (2,),
}
header = {"__metadata__": {"format": "pt"}}
data = bytearray()
for name in sorted(tensors):
    shape = tensors[name]
    count = 1
    for d in shape:
        count *= d
    start = len(data)
    for i in range(count):
        data += struct.pack("<f", ((i * 37) % 19 - 9) / 100.0)
    header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [start, len(data)]}
raw = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
raw += b" " * ((8 - len(raw) % 8) % 8)  # the header is padded with spaces to 8-byte alignment
OUT.mkdir(parents=True, exist_ok=True)
(OUT / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(data))
print(f"wrote {OUT / 'model.safetensors'}")
