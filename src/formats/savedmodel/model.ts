/**
 * What pedigree reads from TensorFlow protobufs: the graph structure that decides what runs (ops, node
 * names, inputs, the functions attributes name), string constants (file paths), the saver and the object
 * graph. Plain readonly data, independent of protobufjs.
 */

/** A function named by an attribute (`f`, `then_branch`, `branches[2]`, or nested in another function's attrs). */
export interface TfFunctionRef {
  readonly name: string;
  /** The attribute path that names it, e.g. `f`, `branches[1]`, `f.attr.body`. */
  readonly via: string;
}

export interface TfAttr {
  readonly name: string;
  /** `s` and `list.s`, as text (UTF-8, invalid bytes replaced). */
  readonly strings: readonly string[];
  /** The values of string tensors in `tensor` / `list.tensor` (the value of a Const node). */
  readonly tensorStrings: readonly string[];
  /** Functions this attribute names, directly or inside nested attribute lists. */
  readonly functions: readonly TfFunctionRef[];
}

export interface TfNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs (`node`, `node:1`, `node:output:0`, a function argument) and control inputs (`^node`). */
  readonly inputs: readonly string[];
  readonly device: string;
  readonly attrs: readonly TfAttr[];
}

export interface TfFunction {
  readonly name: string;
  /** Names of the input arguments (`signature.input_arg`), which node inputs may name directly. */
  readonly args: readonly string[];
  readonly nodes: readonly TfNode[];
  /** Functions named by the function's own attributes. */
  readonly attrFunctions: readonly TfFunctionRef[];
}

export interface TfGradient {
  readonly functionName: string;
  readonly gradientFunc: string;
}

export interface TfGraph {
  readonly nodes: readonly TfNode[];
  readonly functions: readonly TfFunction[];
  readonly gradients: readonly TfGradient[];
  /** `versions.producer`: the GraphDef version of the TensorFlow that wrote it. */
  readonly producer: number | undefined;
}

/** MetaGraphDef.saver_def: the tensors the loader feeds and runs to restore variables. */
export interface TfSaver {
  readonly filenameTensor: string;
  readonly saveTensor: string;
  readonly restoreOp: string;
}

export interface TfAsset {
  readonly filename: string;
  /** The tensor (TF1: a Const node's output) the loader feeds with the asset's path. */
  readonly tensorName: string;
}

/** One object of the SavedObjectGraph (TF2 object-based SavedModels). */
export interface TfSavedObject {
  readonly id: number;
  readonly kind: 'user_object' | 'function' | 'bare_concrete_function' | 'other';
  /** SavedUserObject.identifier (`_tf_keras_layer`, `_generic_user_object`, ...). */
  readonly identifier: string;
  /** SavedUserObject.metadata: Keras' JSON layer config in TF 2.0-2.4 SavedModels. */
  readonly metadata: string;
  readonly registeredName: string;
  /** Concrete functions this object exposes. */
  readonly concreteFunctions: readonly string[];
}

export interface TfMetaGraph {
  readonly index: number;
  readonly tags: readonly string[];
  readonly tensorflowVersion: string;
  readonly graph: TfGraph;
  readonly saver: TfSaver | undefined;
  readonly assets: readonly TfAsset[];
  readonly objects: readonly TfSavedObject[];
}

/** `saved_model.pb`. */
export interface SavedModelDocument {
  readonly kind: 'saved-model';
  readonly metaGraphs: readonly TfMetaGraph[];
}

/** A bare (often frozen) GraphDef `.pb`. */
export interface GraphDefDocument {
  readonly kind: 'graph-def';
  readonly graph: TfGraph;
}

/** One entry of `keras_metadata.pb`. */
export interface KerasMetadataNode {
  readonly nodeId: number;
  readonly nodePath: string;
  readonly identifier: string;
  /** JSON text: the layer's or model's config. */
  readonly metadata: string;
}

/** `keras_metadata.pb` (SavedMetadata, written by Keras 2 / tf-keras next to saved_model.pb). */
export interface KerasMetadataDocument {
  readonly kind: 'keras-metadata';
  readonly nodes: readonly KerasMetadataNode[];
}
