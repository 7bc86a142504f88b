/**
 * Extensions of files that hold model weights, for BOMs that list a model's files without saying which
 * hold the weights. Lower case, with the dot. Serialisations from the formats pedigree scans (pickle and
 * PyTorch zip, safetensors, GGUF/GGML, ONNX, Keras/HDF5, TensorFlow, TFLite, Core ML, NumPy, joblib,
 * Flax msgpack, NeMo, PaddlePaddle, MXNet, Caffe, TensorRT, llamafile).
 */
const WEIGHT_EXTENSIONS: ReadonlySet<string> = new Set([
  '.safetensors',
  '.bin',
  '.pt',
  '.pth',
  '.ckpt',
  '.pkl',
  '.pickle',
  '.joblib',
  '.gguf',
  '.ggml',
  '.llamafile',
  '.onnx',
  '.h5',
  '.hdf5',
  '.keras',
  '.pb',
  '.tflite',
  '.mlmodel',
  '.npy',
  '.npz',
  '.msgpack',
  '.nemo',
  '.pdparams',
  '.params',
  '.caffemodel',
  '.engine',
  '.plan',
  '.mar',
  '.ot',
]);

/** Whether a file name (a path) ends in a weight extension (`model-00001-of-00002.safetensors`). */
export function hasWeightExtension(name: string): boolean {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 && WEIGHT_EXTENSIONS.has(base.slice(dot));
}

/** The CycloneDX property naming a file's role, as `pedigree bom` writes it (`weights`, `tokenizer`...; src/bom/cyclonedx.ts). */
export const ROLE_PROPERTY = 'pedigree:file:role';

/**
 * Whether a model's file holds weights: its stated role when the BOM gives one (`weights` or not), else
 * its extension.
 */
export function isWeightFile(name: string, statedRole: string | undefined): boolean {
  if (statedRole !== undefined) return statedRole === 'weights';
  return hasWeightExtension(name);
}
