/**
 * Recognising TensorFlow protobufs, which have no magic number. For a file with a generic name (`*.pb`)
 * the first bytes must read as the fields of a SavedModel or GraphDef with the wire types TensorFlow's
 * schema gives them, and the first embedded message must open with one of its own fields: ONNX models
 * (`08 <ir_version>` then fields 2-8), Caffe2 NetDefs and other protobufs fail this. Files named like the
 * parts of a SavedModel are taken on any valid wire format instead (see `headIsWireFormat`): TensorFlow
 * parses a saved_model.pb whatever unknown fields it holds, so a stricter check would let one through.
 */
import { TENSORFLOW_WIRE_FIELDS as WIRE } from './schema.generated.js';
import { headMatches } from './wire-check.js';

export { headIsWireFormat } from './wire-check.js';

export type TensorflowProtoKind = 'saved-model' | 'graph-def';

const fields = (name: keyof typeof WIRE) => WIRE[name] as Readonly<Record<number, number>>;

/**
 * The message kinds the first bytes fit, most likely first (both when they start with field 2). With
 * `cutOff` (a name that says TensorFlow protobuf, `*.pb`), a field whose length runs past the end of the
 * file still counts, so a truncated graph is reported as malformed rather than not recognised.
 */
export function classifyTensorflowProto(
  head: Uint8Array,
  size: number,
  options: { readonly cutOff?: boolean } = {},
): TensorflowProtoKind[] {
  const kinds: TensorflowProtoKind[] = [];
  if (headMatches(head, size, fields('SavedModel'), { 2: fields('MetaGraphDef') }, options)) {
    kinds.push('saved-model');
  }
  if (
    headMatches(
      head,
      size,
      fields('GraphDef'),
      { 1: fields('NodeDef'), 2: fields('FunctionDefLibrary') },
      options,
    )
  ) {
    kinds.push('graph-def');
  }
  return kinds;
}

/** Whether the bytes are a SavedModel `fingerprint.pb` (FingerprintDef: five hashes, a version, a uuid). */
export function isFingerprint(head: Uint8Array, size: number): boolean {
  return size === head.length && headMatches(head, size, fields('FingerprintDef'));
}
