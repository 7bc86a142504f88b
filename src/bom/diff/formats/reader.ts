import { compareStrings } from '../../../core/finding.js';
import type { BomReadContext } from '../fields.js';
import { canonicalLicenses } from '../licenses.js';
import type { BomComponent, BomDocument, BomHash, BomModelFile, ComponentKind } from '../model.js';

/** One BOM format the diff reads: recognised by its top-level keys, then parsed into the comparable form. */
export interface BomFormatReader {
  /** For messages: `CycloneDX JSON`. */
  readonly name: string;
  /** Whether the document claims to be in this format (its marker key is present), valid or not. */
  detect(document: Record<string, unknown>): boolean;
  /** Throws ParseError naming the file and JSON path of the first field it cannot use. */
  parse(document: Record<string, unknown>, context: BomReadContext): BomDocument;
}

/** A component being read; licences are canonicalised and files sorted when it is finished. */
export interface ComponentDraft {
  readonly ref: string;
  readonly location: string;
  readonly type?: string;
  readonly group?: string;
  readonly name: string;
  readonly version?: string;
  readonly purl?: string;
  readonly hashes: readonly BomHash[];
  licenses: string[];
  readonly modelCard?: boolean;
  readonly files: BomModelFile[];
}

/** The kind a CycloneDX component type stands for (see ComponentKind). */
export function kindOfType(type: string | undefined): ComponentKind {
  switch (type) {
    case 'machine-learning-model':
      return 'model';
    case 'data':
      return 'dataset';
    case 'file':
      return 'file';
    default:
      return 'package';
  }
}

/** Drafts to components: licences canonical and sorted, a model's files sorted by name. */
export function finishComponents(drafts: readonly ComponentDraft[]): readonly BomComponent[] {
  return drafts.map((d) => ({
    ref: d.ref,
    location: d.location,
    kind: kindOfType(d.type),
    ...(d.type !== undefined ? { type: d.type } : {}),
    ...(d.group !== undefined && d.group !== '' ? { group: d.group } : {}),
    name: d.name,
    ...(d.version !== undefined && d.version !== '' ? { version: d.version } : {}),
    ...(d.purl !== undefined && d.purl !== '' ? { purl: d.purl } : {}),
    hashes: d.hashes,
    licenses: canonicalLicenses(d.licenses),
    ...(d.modelCard !== undefined ? { modelCard: d.modelCard } : {}),
    files: [...d.files].sort((x, y) => compareStrings(x.name, y.name) || compareStrings(x.ref, y.ref)),
  }));
}
