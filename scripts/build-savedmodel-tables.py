"""Generates pedigree's TensorFlow tables from an installed TensorFlow (never from a model file).

Writes two TypeScript modules, committed, so neither tests nor `dist/` need TensorFlow or a .proto asset:

- src/formats/savedmodel/schema.generated.ts: a protobufjs JSON descriptor of the SavedModel messages
  pedigree reads, trimmed to the fields it uses (field numbers and wire types taken from TensorFlow's own
  compiled descriptors, so they are exact; every other field is skipped as unknown, which costs nothing), and
  the complete field-number/wire-type table of the messages whose first bytes recognise a file.
- src/scan/savedmodel/tf-ops.generated.ts: every op name TensorFlow's op registry knows (TF_GetAllOpList),
  to tell standard ops from custom ones that need a native kernel library.

The schemas are Apache-2.0 TensorFlow protos (tensorflow/core/framework/*.proto, tensorflow/core/protobuf/*.proto);
Keras' SavedMetadata (keras_metadata.pb) is not part of TensorFlow 2.16+ (it moved to tf-keras), so its
five fields are written out below from tf_keras/protobuf/saved_metadata.proto.

Run in a throwaway virtualenv (tested with tensorflow-cpu 2.21.0 on Python 3.11):
    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu==2.21.0
    /tmp/tfvenv/bin/python scripts/build-savedmodel-tables.py
"""

import json
import os
import subprocess
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor as FD  # noqa: E402
from tensorflow.core.framework import op_def_pb2  # noqa: E402
from tensorflow.core.protobuf import fingerprint_pb2, saved_model_pb2  # noqa: E402
from tensorflow.python.client import pywrap_tf_session as c_api  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_OUT = ROOT / "src" / "formats" / "savedmodel" / "schema.generated.ts"
OPS_OUT = ROOT / "src" / "scan" / "savedmodel" / "tf-ops.generated.ts"

# Message (full name) -> fields pedigree decodes. Everything else is skipped unread.
KEEP = {
    "tensorflow.SavedModel": ["meta_graphs"],
    "tensorflow.MetaGraphDef": ["meta_info_def", "graph_def", "saver_def", "asset_file_def", "object_graph_def"],
    "tensorflow.MetaGraphDef.MetaInfoDef": ["tags", "tensorflow_version"],
    "tensorflow.AssetFileDef": ["tensor_info", "filename"],
    "tensorflow.TensorInfo": ["name"],
    "tensorflow.SaverDef": ["filename_tensor_name", "save_tensor_name", "restore_op_name"],
    "tensorflow.GraphDef": ["node", "library", "versions"],
    "tensorflow.VersionDef": ["producer"],
    "tensorflow.NodeDef": ["name", "op", "input", "device", "attr"],
    "tensorflow.AttrValue": ["list", "s", "tensor", "func"],
    "tensorflow.AttrValue.ListValue": ["s", "tensor", "func"],
    "tensorflow.NameAttrList": ["name", "attr"],
    # Only string tensors matter (paths in Const nodes); numeric values are skipped, so a frozen graph's
    # weights are never decoded.
    # tensor_content is kept as a view (protobufjs never copies bytes) for string tensors written in
    # TensorFlow's packed encoding.
    "tensorflow.TensorProto": ["dtype", "tensor_content", "string_val"],
    "tensorflow.FunctionDefLibrary": ["function", "gradient"],
    "tensorflow.FunctionDef": ["signature", "node_def", "attr"],
    "tensorflow.GradientDef": ["function_name", "gradient_func"],
    "tensorflow.OpDef": ["name", "input_arg"],
    "tensorflow.OpDef.ArgDef": ["name"],
    "tensorflow.SavedObjectGraph": ["nodes"],
    "tensorflow.SavedObject": ["children", "user_object", "function", "bare_concrete_function", "registered_name"],
    "tensorflow.TrackableObjectGraph.TrackableObject.ObjectReference": ["node_id", "local_name"],
    "tensorflow.SavedUserObject": ["identifier", "metadata"],
    "tensorflow.SavedFunction": ["concrete_functions"],
    "tensorflow.SavedBareConcreteFunction": ["concrete_function_name"],
}

# Messages whose every field (number -> wire type) is listed, for recognising a file by its first bytes.
RECOGNISE = [
    "tensorflow.SavedModel",
    "tensorflow.MetaGraphDef",
    "tensorflow.GraphDef",
    "tensorflow.NodeDef",
    "tensorflow.FunctionDefLibrary",
    "tensorflow.FingerprintDef",
]

# tf_keras/protobuf/saved_metadata.proto (keras-team/tf-keras; earlier tensorflow/python/keras/protobuf):
# SavedMetadata { repeated SavedObject nodes = 1; }
# SavedObject { reserved 1 (was VersionDef version); int32 node_id = 2; string node_path = 3;
#               string identifier = 4; string metadata = 5; VersionDef version = 6; }
KERAS = {
    "KerasSavedMetadata": {"fields": {"nodes": {"rule": "repeated", "type": "KerasSavedObject", "id": 1}}},
    "KerasSavedObject": {
        "fields": {
            "node_id": {"type": "int32", "id": 2},
            "node_path": {"type": "string", "id": 3},
            "identifier": {"type": "string", "id": 4},
            "metadata": {"type": "string", "id": 5},
        }
    },
}
KERAS_WIRE = {
    "KerasSavedMetadata": {1: 2},
    "KerasSavedObject": {1: 2, 2: 0, 3: 2, 4: 2, 5: 2, 6: 2},
}

SCALAR = {
    FD.TYPE_STRING: "string",
    FD.TYPE_BYTES: "bytes",
    FD.TYPE_INT32: "int32",
    FD.TYPE_INT64: "int64",
    FD.TYPE_UINT32: "uint32",
    FD.TYPE_UINT64: "uint64",
    FD.TYPE_BOOL: "bool",
    FD.TYPE_FLOAT: "float",
    FD.TYPE_DOUBLE: "double",
    FD.TYPE_ENUM: "int32",  # proto3 enums are open: on the wire an int32 varint
}
WIRE = {
    FD.TYPE_DOUBLE: 1, FD.TYPE_FIXED64: 1, FD.TYPE_SFIXED64: 1,
    FD.TYPE_FLOAT: 5, FD.TYPE_FIXED32: 5, FD.TYPE_SFIXED32: 5,
    FD.TYPE_STRING: 2, FD.TYPE_BYTES: 2, FD.TYPE_MESSAGE: 2,
}


def local_name(full):
    """`tensorflow.MetaGraphDef.MetaInfoDef` -> `MetaGraphDef_MetaInfoDef` (one flat namespace)."""
    return full.removeprefix("tensorflow.").replace(".", "_")


def descriptor_of(full):
    pool = saved_model_pb2.DESCRIPTOR.pool
    return pool.FindMessageTypeByName(full)


def field_json(field):
    if field.type == FD.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
        key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        value_type = local_name(value.message_type.full_name) if value.type == FD.TYPE_MESSAGE else SCALAR[value.type]
        return {"keyType": SCALAR[key.type], "type": value_type, "id": field.number}
    out = {}
    if field.is_repeated:
        out["rule"] = "repeated"
    out["type"] = local_name(field.message_type.full_name) if field.type == FD.TYPE_MESSAGE else SCALAR[field.type]
    out["id"] = field.number
    return out


def build_schema():
    nested = {}
    for full, names in KEEP.items():
        desc = descriptor_of(full)
        fields = {}
        for name in names:
            field = desc.fields_by_name[name]
            if field.type == FD.TYPE_MESSAGE and not field.message_type.GetOptions().map_entry:
                assert field.message_type.full_name in KEEP, f"{full}.{name} -> {field.message_type.full_name}"
            fields[name] = field_json(field)
        nested[local_name(full)] = {"fields": fields}
    nested.update(KERAS)
    fingerprint = fingerprint_pb2.FingerprintDef.DESCRIPTOR
    assert fingerprint.full_name == "tensorflow.FingerprintDef"
    wire = {}
    for full in RECOGNISE:
        desc = descriptor_of(full)
        wire[local_name(full)] = {f.number: WIRE.get(f.type, 0) for f in sorted(desc.fields, key=lambda f: f.number)}
    wire.update(KERAS_WIRE)
    return {"nested": {"tensorflow": {"nested": dict(sorted(nested.items()))}}}, wire


def build_ops():
    buffer = c_api.TF_GetAllOpList()
    ops = op_def_pb2.OpList.FromString(c_api.TF_GetBuffer(buffer))
    return sorted({op.name for op in ops.op})


HEADER = """// Generated by scripts/build-savedmodel-tables.py from TensorFlow {version}: do not edit.
// Field names and numbers are TensorFlow's (Apache-2.0), from tensorflow/core/framework/*.proto and
// tensorflow/core/protobuf/*.proto; Keras' SavedMetadata from tf_keras/protobuf/saved_metadata.proto.
"""


def main():
    schema, wire = build_schema()
    wire_ts = ",\n".join(
        f"  {name}: {{ {', '.join(f'{n}: {t}' for n, t in fields.items())} }}" for name, fields in wire.items()
    )
    SCHEMA_OUT.write_text(
        HEADER.format(version=tf.__version__)
        + "\n/** protobufjs JSON descriptor (`Root.fromJSON`) of the trimmed SavedModel schema. */\n"
        + f"export const TENSORFLOW_SCHEMA = {json.dumps(schema, indent=2)} as const;\n\n"
        + "/** Every field of the messages that recognise a file: field number -> wire type. */\n"
        + "export const TENSORFLOW_WIRE_FIELDS: Readonly<Record<string, Readonly<Record<number, number>>>> = {\n"
        + wire_ts
        + ",\n};\n"
    )
    names = build_ops()
    lines = []
    line = ""
    for name in names:
        if len(line) + len(name) + 1 > 100:
            lines.append(line)
            line = ""
        line = f"{line} {name}" if line else name
    lines.append(line)
    body = "\n".join(lines)
    OPS_OUT.write_text(
        HEADER.format(version=tf.__version__)
        + f"\n/** TensorFlow {tf.__version__}'s op registry (TF_GetAllOpList): {len(names)} op names. */\n"
        + f"export const TF_OP_REGISTRY_VERSION = '{tf.__version__}';\n\n"
        + "export const TF_OP_NAMES: ReadonlySet<string> = new Set(\n  `\n"
        + body
        + "`\n    .split(/\\s+/)\n    .filter((name) => name !== ''),\n);\n"
    )
    # Biome's formatting, so the committed files are exactly what this script writes.
    subprocess.run(["npx", "biome", "format", "--write", str(SCHEMA_OUT), str(OPS_OUT)], cwd=ROOT, check=True)
    print(f"wrote {SCHEMA_OUT} and {OPS_OUT} ({len(names)} ops)")


if __name__ == "__main__":
    main()
