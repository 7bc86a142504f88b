import type { CardDocument } from '../card-document.js';
import { indexTopics } from '../topics.js';
import { detectCardKind } from './kind.js';
import type { CardAuditContext, CardAuditSettings, CardRepo } from './types.js';

/** Default thresholds: a card below 50 lacks most of what Mitchell et al. / Gebru et al. ask for. */
export const DEFAULT_MIN_SCORE = 50;

export const DEFAULT_CARD_AUDIT_SETTINGS: CardAuditSettings = {
  minScore: { model: DEFAULT_MIN_SCORE, dataset: DEFAULT_MIN_SCORE },
  require: [],
  disable: [],
  severity: {},
};

/** Everything the checks read, built once per card from what the reader produced. */
export function buildAuditContext(
  doc: CardDocument,
  text: string,
  repo: CardRepo | undefined,
  settings: CardAuditSettings = DEFAULT_CARD_AUDIT_SETTINGS,
): CardAuditContext {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  const fm = doc.frontMatter;
  const meta = fm?.data ?? {};
  return {
    doc,
    kind: settings.kind ?? detectCardKind(doc.path, doc),
    text: normalized,
    lines,
    meta,
    hasMetadata: fm?.data !== undefined,
    topics: indexTopics(doc, lines),
    repo,
    settings,
    lineOf(pointer: string): number | undefined {
      if (fm === undefined) return undefined;
      if (!pointer.startsWith('/')) return fm.keyLines.get(pointer);
      const exact = fm.pathLines.get(pointer);
      if (exact !== undefined) return exact;
      // The nearest recorded ancestor, then the top-level key.
      const parts = pointer.split('/');
      for (let n = parts.length - 1; n > 1; n--) {
        const line = fm.pathLines.get(parts.slice(0, n).join('/'));
        if (line !== undefined) return line;
      }
      return fm.keyLines.get((parts[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~'));
    },
  };
}
