/**
 * The protobufjs types of the trimmed TensorFlow schema (schema.generated.ts, made by
 * scripts/build-savedmodel-tables.py from TensorFlow's own descriptors). Built from a JSON descriptor
 * compiled into the module, so the schema loads the same under vitest (src) and from dist, with no .proto
 * asset to copy. Only protobufjs' light build is needed: no .proto parser at run time.
 */
import protobuf from 'protobufjs/light.js';
import { TENSORFLOW_SCHEMA } from './schema.generated.js';

/** The messages pedigree decodes, by the flat names the generator gives them. */
export type TensorflowMessage =
  | 'SavedModel'
  | 'GraphDef'
  | 'NodeDef'
  | 'AttrValue'
  | 'FunctionDefLibrary'
  | 'KerasSavedMetadata';

let root: protobuf.Root | undefined;

function schemaRoot(): protobuf.Root {
  // The descriptor is plain data typed `as const`; protobufjs takes its own (mutable) JSON interface.
  root ??= protobuf.Root.fromJSON(TENSORFLOW_SCHEMA as unknown as protobuf.INamespace);
  return root;
}

/** The reflected type of a TensorFlow message (resolved on first use, then cached by protobufjs). */
export function tensorflowType(name: TensorflowMessage | string): protobuf.Type {
  return schemaRoot().lookupType(`tensorflow.${name}`);
}

/**
 * protobufjs' own recursion limit for nested messages and groups (protoc's default, 100): deeper input
 * makes `decode` throw "max depth exceeded". pedigree's pre-check stops at a lower depth first.
 */
export const PROTOBUFJS_RECURSION_LIMIT: number = protobuf.Reader.recursionLimit;
