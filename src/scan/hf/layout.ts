import type { Artifact, Finding } from '../../core/finding.js';
import { HF_RULES } from './rules.js';

/** Formats that a model loader unpickles. */
const PICKLE_FORMATS = new Set(['pickle', 'pytorch-zip', 'pytorch-legacy', 'pytorch-legacy-tar']);

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Findings about how files sit together in a folder, from the artifacts of a scan (never from names alone:
 * formats come from content). Today: pickle-based weights shipped next to safetensors weights.
 */
export function layoutFindings(artifacts: readonly Artifact[]): Finding[] {
  const safetensorsByFolder = new Map<string, string[]>();
  for (const a of artifacts) {
    if (a.format !== 'safetensors') continue;
    const list = safetensorsByFolder.get(folderOf(a.path)) ?? [];
    list.push(a.path);
    safetensorsByFolder.set(folderOf(a.path), list);
  }
  const out: Finding[] = [];
  for (const a of artifacts) {
    if (!PICKLE_FORMATS.has(a.format)) continue;
    const safer = safetensorsByFolder.get(folderOf(a.path));
    if (safer === undefined) continue;
    const rule = HF_RULES.pickleBesideSafetensors;
    const shown = safer.sort().slice(0, 5).join(', ');
    out.push({
      ruleId: rule.id,
      severity: 'low',
      title: rule.title,
      message: `This ${a.format} checkpoint sits next to safetensors weights (${shown}); load those instead.`,
      location: { path: a.path },
      evidence: `${a.path} beside ${shown}`,
      remediation: rule.help,
      references: [...rule.references],
    });
  }
  return out;
}
