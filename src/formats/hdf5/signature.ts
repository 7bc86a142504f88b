import type { ByteSource } from '../../core/byte-reader.js';
import { startsWith } from '../../core/byte-reader.js';

/** HDF5 format signature (HDF5 File Format Specification, "Format Signature"): \x89HDF\r\n\x1a\n. */
export const HDF5_SIGNATURE: readonly number[] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Offsets probed for the superblock. The specification: "the superblock may begin at certain predefined
 * offsets within the HDF5 file, allowing a block of unspecified content for users to place additional
 * information at the beginning (and end) of the HDF5 file without limiting the HDF5 Library's ability to
 * manage the objects within the file itself ... at location 0, 512, 1024, 2048, and so on", which is what
 * H5FD_locate_signature searches, up to the end of the file. 2^62 is past any real file, so the count stops
 * nothing real.
 */
export const MAX_HDF5_SIGNATURE_PROBES = 54;

/** Where the HDF5 superblock starts (0, 512, 1024, ...), or undefined when there is none. */
export function findHdf5Superblock(source: ByteSource, head?: Uint8Array): number | undefined {
  if (startsWith(head ?? source.readAt(0, HDF5_SIGNATURE.length), HDF5_SIGNATURE)) return 0;
  let offset = 512;
  for (let i = 0; i < MAX_HDF5_SIGNATURE_PROBES && offset + HDF5_SIGNATURE.length <= source.size; i++) {
    if (startsWith(source.readAt(offset, HDF5_SIGNATURE.length), HDF5_SIGNATURE)) return offset;
    offset *= 2;
  }
  return undefined;
}
