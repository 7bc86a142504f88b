import type { RuleDescriptor } from '../../core/rules.js';

const ZIP_APPNOTE = 'https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT';
const ZIP_CVES = [
  'https://nvd.nist.gov/vuln/detail/CVE-2025-1944',
  'https://nvd.nist.gov/vuln/detail/CVE-2025-1945',
  'https://nvd.nist.gov/vuln/detail/CVE-2025-10156',
];

/** Rules raised by the archive readers (zip, tar, compressed streams) and NumPy containers. */
export const ARCHIVE_RULES = {
  nameMismatch: {
    id: 'ZIP-NAME-MISMATCH',
    title: 'Zip member name differs between headers',
    description:
      "The member's local header names a different file than the central directory. PyTorch's zip reader (miniz) uses the central name and ignores the mismatch, while Python's zipfile refuses the file, so scanners built on zipfile skip what torch.load reads.",
    help: 'Treat the archive as crafted to evade scanners: do not load it. Legitimate writers never produce mismatched names.',
    defaultSeverity: 'high',
    references: [ZIP_APPNOTE, ...ZIP_CVES],
    tags: ['security', 'archive', 'evasion'],
  },
  flags: {
    id: 'ZIP-FLAGS',
    title: 'Zip member has unusual flag bits',
    description:
      'A general-purpose flag bit such as "encrypted" is set on a member that is not encrypted. PyTorch ignores the bits; Python zipfile refuses encrypted members, so other scanners skip them.',
    help: 'Treat the archive as crafted to evade scanners unless you know the tool that wrote it.',
    defaultSeverity: 'medium',
    references: [ZIP_APPNOTE, ...ZIP_CVES],
    tags: ['security', 'archive', 'evasion'],
  },
  crcMismatch: {
    id: 'ZIP-CRC-MISMATCH',
    title: 'Zip member fails its CRC check',
    description:
      'The CRC-32 stored for a member does not match its content. PyTorch does not check CRCs and loads the member anyway; zipfile-based scanners stop with an error.',
    help: 'Re-download the file; if the CRC stays wrong, the archive was altered after it was written: do not load it.',
    defaultSeverity: 'medium',
    references: [ZIP_APPNOTE, ...ZIP_CVES],
    tags: ['security', 'archive', 'evasion'],
  },
  structure: {
    id: 'ZIP-STRUCTURE',
    title: 'Unusual zip structure',
    description:
      'The archive has structure standard writers do not produce: data before the first member, overlapping or duplicate members, a central directory recovered from local headers, inconsistent sizes. Different readers may then see different files.',
    help: 'Check where the archive comes from; re-create it with a standard tool if it is yours.',
    defaultSeverity: 'medium',
    references: [ZIP_APPNOTE],
    tags: ['archive', 'anomaly'],
  },
  pathTraversal: {
    id: 'ARCHIVE-PATH-TRAVERSAL',
    title: 'Archive member escapes the extraction folder',
    description:
      'A member name is absolute or contains `..`, so extracting the archive writes outside the target folder (zip-slip / tar-slip).',
    help: 'Do not extract this archive with tools that do not sanitise names; treat it as malicious.',
    defaultSeverity: 'high',
    references: [
      'https://security.snyk.io/research/zip-slip-vulnerability',
      'https://nvd.nist.gov/vuln/detail/CVE-2007-4559',
    ],
    tags: ['security', 'archive'],
  },
  link: {
    id: 'ARCHIVE-LINK',
    title: 'Archive member is a link',
    description:
      'A symbolic or hard link inside the archive can point anywhere; extraction then reads or overwrites files outside the archive.',
    help: 'Extract only with link handling disabled (Python tarfile filter="data"); treat the archive with suspicion.',
    defaultSeverity: 'high',
    references: [
      'https://docs.python.org/3/library/tarfile.html#extraction-filters',
      'https://nvd.nist.gov/vuln/detail/CVE-2007-4559',
    ],
    tags: ['security', 'archive'],
  },
  bomb: {
    id: 'ARCHIVE-BOMB',
    title: 'Decompression bomb',
    description:
      'A member expands far beyond its compressed size or beyond the total decompression budget. It was not fully decompressed, so its content was not analysed.',
    help: 'Do not extract or load this archive; if it is legitimate, unpack it with limits and scan the members.',
    defaultSeverity: 'high',
    references: ['https://www.bamsoftware.com/hacks/zipbomb/'],
    tags: ['security', 'archive', 'not-analysed'],
  },
  malformed: {
    id: 'ARCHIVE-MALFORMED',
    title: 'Archive or compressed stream could not be fully read',
    description:
      'The archive or compressed stream is corrupt or truncated. What could be read was analysed; the rest was not, so the file is not reported clean.',
    help: 'Re-download the file and scan again; do not load a model that stays malformed.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['archive', 'not-analysed'],
  },
  numpyObject: {
    id: 'NUMPY-OBJECT-ARRAY',
    title: 'NumPy array of Python objects',
    description:
      'The .npy array has dtype object: its data is a pickle, and numpy.load needs allow_pickle=True to read it, which runs whatever the pickle names. The pickle itself is analysed and reported separately.',
    help: 'Prefer numeric dtypes; load object arrays only from sources you trust.',
    defaultSeverity: 'low',
    references: ['https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html'],
    tags: ['numpy', 'pickle'],
  },
} as const satisfies Record<string, RuleDescriptor>;
