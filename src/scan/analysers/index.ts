import type { FormatAnalyser } from '../engine.js';
import { compressedAnalyser } from './compressed.js';
import { executableAnalyser } from './executable.js';
import { ggufAnalyser } from './gguf.js';
import { hfConfigAnalyser } from './hf-config.js';
import { npyAnalyser } from './npy.js';
import { pickleAnalyser } from './pickle.js';
import { safetensorsAnalyser } from './safetensors.js';
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
  unsupportedAnalyser,
  ggufAnalyser,
  pickleAnalyser,
  // Recognised by name, so after every format recognised by content: a pickle named .yaml stays a pickle.
  templateFileAnalyser,
  yamlConfigAnalyser,
  hfConfigAnalyser,
  appendedZipAnalyser,
];
