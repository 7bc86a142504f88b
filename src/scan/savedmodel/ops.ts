/**
 * What TensorFlow ops do outside the computation, by op name. Input positions and attribute names are
 * those of TensorFlow 2.21's op registry (checked with scripts/build-savedmodel-tables.py's environment:
 * `OpDef.input_arg`); every path argument listed comes before any list-typed argument, so its position in
 * `NodeDef.input` is its position in the OpDef.
 */
import type { Severity } from '../../core/finding.js';
import { TF_OP_NAMES } from './tf-ops.generated.js';

export type OpCategory = 'file' | 'network' | 'system';

/** Where an op takes a path or address from. */
export type PathSpec =
  | { readonly kind: 'input'; readonly index: number; readonly arg: string }
  | { readonly kind: 'attr'; readonly attr: string };

export interface OpSpec {
  readonly category: OpCategory;
  /** What the op does, completing "op X ...". */
  readonly what: string;
  /** Path or address arguments; none for ops that take their files from elsewhere (a queue). */
  readonly paths: readonly PathSpec[];
  /** A checkpoint op: normal inside the SavedModel's own saver. */
  readonly checkpoint?: boolean;
  /** Severity when a path is a constant in the graph (default high). */
  readonly constant?: Severity;
  /**
   * Severity when the path is computed or fed at run time (default medium); undefined with `quietWhenNotConstant`.
   */
  readonly computed?: Severity;
  /** Not reported unless the path is a visible constant (vocabulary tables read from the model's assets). */
  readonly quietWhenNotConstant?: boolean;
  /** Which attribute values count (PrintV2 writes a file only for `file://` streams). */
  readonly attrValue?: (value: string) => boolean;
}

const input = (index: number, arg: string): PathSpec => ({ kind: 'input', index, arg });
const attr = (name: string): PathSpec => ({ kind: 'attr', attr: name });

const reads = (paths: readonly PathSpec[], extra: Partial<OpSpec> = {}): OpSpec => ({
  category: 'file',
  what: 'reads files',
  paths,
  ...extra,
});
const writes = (paths: readonly PathSpec[], extra: Partial<OpSpec> = {}): OpSpec => ({
  category: 'file',
  what: 'writes files',
  paths,
  ...extra,
});
const network = (paths: readonly PathSpec[], what = 'connects to a server'): OpSpec => ({
  category: 'network',
  what,
  paths,
});

const FILENAMES = [input(0, 'filenames')];

/**
 * Ops that reach outside the graph. Ops that only use resources other ops created (ReaderRead,
 * WriteSummary, RpcCall) are covered through the op that creates the resource.
 */
export const OP_SPECS: ReadonlyMap<string, OpSpec> = new Map<string, OpSpec>([
  // Files read by name.
  ['ReadFile', reads([input(0, 'filename')])],
  ['WriteFile', writes([input(0, 'filename')])],
  ['MatchingFiles', reads([input(0, 'pattern')], { what: 'lists files' })],
  ['ImmutableConst', reads([attr('memory_region_name')], { what: 'memory-maps a file' })],
  ['LoadAndRemapMatrix', reads([input(0, 'ckpt_path')], { what: 'reads a checkpoint' })],
  ['GenerateVocabRemapping', reads([input(0, 'new_vocab_file'), input(1, 'old_vocab_file')])],
  // Vocabulary tables read their file from the SavedModel's assets: only a constant path is unusual.
  ['InitializeTableFromTextFile', reads([input(1, 'filename')], { quietWhenNotConstant: true })],
  ['InitializeTableFromTextFileV2', reads([input(1, 'filename')], { quietWhenNotConstant: true })],
  ['RecordInput', reads([attr('file_pattern')])],
  ['FixedUnigramCandidateSampler', reads([attr('vocab_file')])],
  ['Skipgram', reads([attr('filename')])],
  // A descriptor_source other than "local://" or "bytes://..." is a file of serialized descriptors.
  [
    'DecodeProtoV2',
    reads([attr('descriptor_source')], {
      what: 'reads proto descriptors from a file',
      attrValue: isDescriptorFile,
    }),
  ],
  [
    'EncodeProto',
    reads([attr('descriptor_source')], {
      what: 'reads proto descriptors from a file',
      attrValue: isDescriptorFile,
    }),
  ],
  // Checkpoints.
  ['Restore', reads([input(0, 'file_pattern')], { what: 'reads a checkpoint', checkpoint: true })],
  ['RestoreSlice', reads([input(0, 'file_pattern')], { what: 'reads a checkpoint', checkpoint: true })],
  ['RestoreV2', reads([input(0, 'prefix')], { what: 'reads a checkpoint', checkpoint: true })],
  ['DTensorRestoreV2', reads([input(0, 'prefix')], { what: 'reads a checkpoint', checkpoint: true })],
  ['Save', writes([input(0, 'filename')], { what: 'writes a checkpoint', checkpoint: true })],
  ['SaveSlices', writes([input(0, 'filename')], { what: 'writes a checkpoint', checkpoint: true })],
  ['SaveV2', writes([input(0, 'prefix')], { what: 'writes a checkpoint', checkpoint: true })],
  [
    'MergeV2Checkpoints',
    writes([input(0, 'checkpoint_prefixes'), input(1, 'destination_prefix')], {
      what: 'moves and deletes checkpoint files',
      checkpoint: true,
    }),
  ],
  // tf.data sources and sinks.
  ['TFRecordDataset', reads(FILENAMES)],
  ['TFRecordDatasetV2', reads(FILENAMES)],
  ['TextLineDataset', reads(FILENAMES)],
  ['FixedLengthRecordDataset', reads(FILENAMES)],
  ['FixedLengthRecordDatasetV2', reads(FILENAMES)],
  ['CSVDataset', reads(FILENAMES)],
  ['CSVDatasetV2', reads(FILENAMES)],
  ['ExperimentalCSVDataset', reads(FILENAMES)],
  ['LMDBDataset', reads(FILENAMES)],
  ['ExperimentalLMDBDataset', reads(FILENAMES)],
  ['MatchingFilesDataset', reads([input(0, 'patterns')], { what: 'lists files' })],
  ['ExperimentalMatchingFilesDataset', reads([input(0, 'patterns')], { what: 'lists files' })],
  ['SqlDataset', reads([input(1, 'data_source_name')], { what: 'opens a database' })],
  ['ExperimentalSqlDataset', reads([input(1, 'data_source_name')], { what: 'opens a database' })],
  ['LoadDataset', reads([input(0, 'path')])],
  ['SnapshotChunkDataset', reads([input(0, 'chunk_file')])],
  ['SnapshotDatasetReader', reads([input(0, 'shard_dir')])],
  ['ListSnapshotChunksDataset', reads([input(0, 'snapshot_path')], { what: 'lists files' })],
  ['DatasetToTFRecord', writes([input(1, 'filename')])],
  ['ExperimentalDatasetToTFRecord', writes([input(1, 'filename')])],
  ['SaveDataset', writes([input(1, 'path')])],
  ['SaveDatasetV2', writes([input(1, 'path')])],
  ['SnapshotDataset', writes([input(1, 'path')], { what: 'reads and writes files' })],
  ['SnapshotDatasetV2', writes([input(1, 'path')], { what: 'reads and writes files' })],
  // An empty filename caches in memory (the usual `dataset.cache()`); a constant empty path is not reported.
  ['CacheDataset', writes([input(1, 'filename')], { what: 'reads and writes a cache file' })],
  ['CacheDatasetV2', writes([input(1, 'filename')], { what: 'reads and writes a cache file' })],
  // TF1 readers take their file names from a queue, not an input.
  ...['WholeFileReader', 'WholeFileReaderV2', 'TextLineReader', 'TextLineReaderV2', 'TFRecordReader'].map(
    (op) => [op, reads([], { what: 'reads files named by a queue' })] as const,
  ),
  ...['TFRecordReaderV2', 'FixedLengthRecordReader', 'FixedLengthRecordReaderV2', 'LMDBReader'].map(
    (op) => [op, reads([], { what: 'reads files named by a queue' })] as const,
  ),
  // Summaries, debugging, printing.
  ['CreateSummaryFileWriter', writes([input(1, 'logdir')], { what: 'writes summary files' })],
  ['CreateSummaryDbWriter', writes([input(1, 'db_uri')], { what: 'writes a summary database' })],
  ['DumpTensor', writes([attr('log_dir_path')], { what: 'dumps tensors to files' })],
  ['CalibrationStatisticsSaver', writes([attr('output_file_path')], { what: 'writes statistics to a file' })],
  [
    'PrintV2',
    writes([attr('output_stream')], { what: 'prints to a file', attrValue: (v) => /^file:\/\//i.test(v) }),
  ],
  ...['DebugIdentity', 'DebugIdentityV2', 'DebugIdentityV3', 'DebugNanCount', 'DebugNumericSummary'].map(
    (op) =>
      [op, writes([attr('debug_urls')], { what: 'sends tensors to debug URLs (files or gRPC)' })] as const,
  ),
  [
    'DistributedSave',
    writes([input(1, 'directory'), input(2, 'address')], { what: 'saves a dataset remotely' }),
  ],
  // Network.
  ['DataServiceDataset', network([input(2, 'address')], 'reads from a tf.data service')],
  ['DataServiceDatasetV2', network([input(2, 'address')], 'reads from a tf.data service')],
  ['DataServiceDatasetV3', network([input(2, 'address')], 'reads from a tf.data service')],
  ['DataServiceDatasetV4', network([input(2, 'address')], 'reads from a tf.data service')],
  ['RegisterDataset', network([input(1, 'address')], 'registers a dataset with a tf.data service')],
  ['RegisterDatasetV2', network([input(1, 'address')], 'registers a dataset with a tf.data service')],
  ['RpcClient', network([input(0, 'server_address')], 'connects to an RPC server')],
  ['RpcServer', network([input(0, 'server_address')], 'starts an RPC server')],
  // Process and file-system control.
  ['FileSystemSetConfiguration', { category: 'system', what: 'changes file-system settings', paths: [] }],
  ['Abort', { category: 'system', what: 'ends the process', paths: [] }],
  ...['SleepOp', 'SleepIdentityOp', 'SleepDataset', 'ExperimentalSleepDataset'].map(
    (op) => [op, { category: 'system', what: 'stalls execution', paths: [] } as OpSpec] as const,
  ),
]);

/** DecodeProtoV2's default descriptor pool is "local://"; "bytes://<descriptor>" is inline. */
function isDescriptorFile(value: string): boolean {
  return value !== '' && value !== 'local://' && !value.startsWith('bytes://');
}

/** Ops that run Python: tf.numpy_function (PyFunc), stateless variant, tf.py_function (EagerPyFunc). */
const PYTHON_OPS = new Set(['PyFunc', 'PyFuncStateless', 'EagerPyFunc']);

/**
 * Unregistered ops named like a Python call (`MyPyFunc`, `py_call`, `PYFUNC`): a custom kernel that calls
 * into Python is as much code execution as the registered ones. `Py` must start a word, so `CopyFunc` does
 * not match.
 */
const PYTHON_LIKE = /Py_?(?:Func|Call)|PY_?(?:FUNC|CALL)|(?:^|[^a-z])py_?(?:func|call)/;

/** Whether an op calls into Python: the registered ones, and unregistered ops named like them. */
export function isPythonOp(op: string): boolean {
  return PYTHON_OPS.has(op) || (!TF_OP_NAMES.has(op) && PYTHON_LIKE.test(op));
}

/** Whether TensorFlow itself registers the op (otherwise it needs a kernel library). */
export function isRegisteredOp(op: string): boolean {
  return TF_OP_NAMES.has(op);
}

/**
 * Op names searched for in the bytes of files pedigree cannot decode: Python ops and ops that reach outside
 * the graph whatever their arguments. Checkpoint ops (in every SavedModel's saver), vocabulary tables and
 * ops that only sometimes touch files (PrintV2, DecodeProtoV2) would be noise without the graph.
 */
export const REPORTED_OP_NAMES: readonly string[] = [
  ...PYTHON_OPS,
  ...[...OP_SPECS.entries()]
    .filter(([, spec]) => !spec.checkpoint && !spec.quietWhenNotConstant && spec.attrValue === undefined)
    .map(([op]) => op),
];
