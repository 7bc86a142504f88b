import type { FormatAnalyser } from '../engine.js';
import { compressedAnalyser } from './compressed.js';
import { executableAnalyser } from './executable.js';
import { ggufAnalyser } from './gguf.js';
import { hdf5Analyser, hdf5UserBlockAnalyser } from './hdf5.js';
import { hfConfigAnalyser } from './hf-config.js';
import { npyAnalyser } from './npy.js';
import { onnxAnalyser } from './onnx.js';
import { pickleAnalyser } from './pickle.js';
import { safetensorsAnalyser } from './safetensors.js';
import { savedModelAnalyser } from './savedmodel.js';
import { sevenZipAnalyser } from './sevenzip.js';
import { tarAnalyser } from './tar.js';
import { templateFileAnalyser } from './template-file.js';
import { unsupportedAnalyser } from './unsupported.js';
import { yamlConfigAnalyser } from './yaml-config.js';
import { appendedZipAnalyser, zipAnalyser } from './zip.js';

/**
 * Analysers in the order they are tried. Formats with unambiguous magic bytes come first; pickle, which
 * protocol 0/1 files cannot announce by magic, comes last.
 */
export const DEFAULT_ANALYSERS: readonly FormatAnalyser[] = [
  zipAnalyser,
  // Before the compressors: a header length's low bytes can read as a zlib or bz2 magic.
  safetensorsAnalyser,
  executableAnalyser,
  npyAnalyser,
  tarAnalyser,
  compressedAnalyser,
  sevenZipAnalyser,
  unsupportedAnalyser,
  ggufAnalyser,
  hdf5Analyser,
  // ONNX has no magic: a strict ModelProto check on the first fields, before pickle (which it never claims).
  onnxAnalyser,
  pickleAnalyser,
  // TensorFlow protobufs have no magic: recognised by name (saved_model.pb, *.pb, *.pbtxt) and first fields.
  savedModelAnalyser,
  // Recognised by name, so after every format recognised by content: a pickle named .yaml stays a pickle.
  templateFileAnalyser,
  yamlConfigAnalyser,
  hfConfigAnalyser,
  appendedZipAnalyser,
  // An HDF5 superblock after a user block: h5py reads it whatever the first bytes are.
  hdf5UserBlockAnalyser,
];
