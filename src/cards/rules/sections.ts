import type { RuleDescriptor } from '../../core/rules.js';
import type { CardAuditContext, CardCheck, CardFindingDraft } from '../audit/types.js';
import { coverage, type Topic, type TopicCoverage } from '../topics.js';

const MITCHELL = 'https://arxiv.org/abs/1810.03993';
const GEBRU = 'https://arxiv.org/abs/1803.09010';
const HUB_TEMPLATE =
  'https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/templates/modelcard_template.md';

/** Rules about sections every card should have, and the completeness score. */
export const CARD_SECTION_RULES = {
  limitationsMissing: {
    id: 'CARD-LIMITATIONS-MISSING',
    title: 'Card states no limitations',
    description:
      'The card has no limitations section with content (only placeholders, or nothing). Limitations are what a user most needs before deploying a model or dataset, and the section crawls of the Hub find most often left empty.',
    help: 'Add a "Limitations" section: where the model or data fails or was not tested, and what it must not be relied on for.',
    defaultSeverity: 'medium',
    references: [MITCHELL, HUB_TEMPLATE],
    tags: ['card', 'completeness'],
  },
  biasMissing: {
    id: 'CARD-BIAS-MISSING',
    title: 'Card states no bias, risks or ethical considerations',
    description:
      'The card has no section on bias, risks, fairness or ethical considerations with content (Mitchell et al. "Ethical Considerations"; the Hub template "Bias, Risks, and Limitations"; Gebru et al. "Discussion of Biases").',
    help: 'Add a "Bias, Risks, and Limitations" section: known biases, groups the model or data may harm, and how users should mitigate them.',
    defaultSeverity: 'low',
    references: [MITCHELL, GEBRU, HUB_TEMPLATE],
    tags: ['card', 'completeness', 'responsible-ai'],
  },
  environmentalMissing: {
    id: 'CARD-ENVIRONMENTAL-MISSING',
    title: 'Card states no environmental impact',
    description:
      'The model card gives no environmental impact (no section with content, no `co2_eq_emissions` metadata): hardware, hours, region or emissions of training. Under 1% of Hub cards report it.',
    help: 'Add `co2_eq_emissions` metadata or an "Environmental Impact" section (hardware type, hours used, cloud provider and region, carbon emitted; the ML CO2 Impact calculator helps).',
    defaultSeverity: 'info',
    references: ['https://huggingface.co/docs/hub/model-cards-co2', 'https://mlco2.github.io/impact/'],
    tags: ['card', 'completeness'],
  },
  citationMissing: {
    id: 'CARD-CITATION-MISSING',
    title: 'Card gives no citation',
    description: 'The card gives no citation (no citation section with content and no BibTeX entry).',
    help: 'Add a "Citation" section with a BibTeX entry for the paper or the model/dataset itself.',
    defaultSeverity: 'info',
    references: [HUB_TEMPLATE],
    tags: ['card', 'completeness'],
  },
  contactMissing: {
    id: 'CARD-CONTACT-MISSING',
    title: 'Card names no contact',
    description:
      'The card gives no way to reach its authors or maintainers (no contact section or label, no e-mail address, no issue tracker link), so problems found in the model or data cannot be reported.',
    help: 'Add a "Contact" section (an e-mail address, or where to open issues).',
    defaultSeverity: 'info',
    references: [MITCHELL, GEBRU],
    tags: ['card', 'completeness'],
  },
  requiredSection: {
    id: 'CARD-REQUIRED-SECTION',
    title: 'Section required by the configuration is missing',
    description:
      'pedigree.yaml `cards.require` lists this topic, and the card has no section or label about it with content.',
    help: 'Write the section, or change `cards.require` if it does not apply to this project.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['card', 'completeness', 'policy'],
  },
  scoreLow: {
    id: 'CARD-SCORE-LOW',
    title: 'Card completeness score below the threshold',
    description:
      'The completeness score (0-100, a weighted rubric of the Mitchell et al. model card sections or the Gebru et al. datasheet questions; README "Card completeness score") is below the configured minimum (`cards.minScore`, default 50).',
    help: 'Fill the sections the breakdown lists as missing, starting with the heaviest.',
    defaultSeverity: 'medium',
    references: [MITCHELL, GEBRU],
    tags: ['card', 'completeness', 'policy'],
  },
} as const satisfies Record<string, RuleDescriptor>;

/** A readable name for a topic in messages: `§ Limitations`. */
export function topicLabel(topic: Topic): string {
  const words = topic.replace(/-/g, ' ');
  return `§ ${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

/** Best coverage of any of the topics. */
export function bestCoverage(ctx: CardAuditContext, topics: readonly Topic[]): TopicCoverage {
  const order = { absent: 0, empty: 1, placeholder: 2, content: 3 } as const;
  let best = coverage(ctx.topics, topics[0] as Topic);
  for (const t of topics.slice(1)) {
    const c = coverage(ctx.topics, t);
    if (order[c.state] > order[best.state]) best = c;
  }
  return best;
}

/** "has no X section", "§ X (line 12) holds only placeholders", "§ X (line 12) is empty". */
export function describeGap(c: TopicCoverage, what: string, ctx: CardAuditContext): string {
  if (c.state === 'absent') return `the card has no ${what} section`;
  const index = c.sections[0];
  const title = index !== undefined ? `§ ${ctx.doc.sections[index]?.title ?? what}` : what;
  return c.state === 'placeholder'
    ? `${title} (line ${c.line}) holds only placeholders`
    : `${title} (line ${c.line}) is empty`;
}

function gapDraft(
  ctx: CardAuditContext,
  rule: RuleDescriptor,
  topics: readonly Topic[],
  what: string,
): CardFindingDraft | undefined {
  const c = bestCoverage(ctx, topics);
  if (c.state === 'content') return undefined;
  return {
    rule,
    message: `${what.charAt(0).toUpperCase()}${what.slice(1)} not stated: ${describeGap(c, what, ctx)}`,
    line: c.line ?? 1,
    field: topicLabel(topics[0] as Topic),
    evidence: `${topics.join('/')}: ${c.state}`,
  };
}

/** BibTeX entries anywhere (usually in a fenced block): `@article{`, `@inproceedings{`, `@misc{`. */
const BIBTEX =
  /@(?:article|inproceedings|misc|book|incollection|techreport|phdthesis|software|dataset|online)[ \t]*\{/i;
/**
 * An e-mail address. Anchored on the `@` (the local part is checked by a one-character lookbehind): a
 * leading `[\w.+-]{1,64}` made every position of a long line without `@` cost 64 steps (8 s on 8 MB).
 */
// `git@github.com:org/repo.git` is a clone address, not a contact: no `:` after the domain.
const EMAIL = /(?<=[\w.+-])(?<!\bgit)@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}(?!:)/;
const ISSUE_LINK =
  /github\.com\/[\w.-]{1,100}\/[\w.-]{1,100}\/issues|\/discussions\b|open(?:ing)? an issue|community tab/i;

/** Sections expected of every card, and the topics configured as required. */
export const checkSections: CardCheck = (ctx) => {
  const drafts: CardFindingDraft[] = [];
  const push = (d: CardFindingDraft | undefined) => {
    if (d) drafts.push(d);
  };
  push(gapDraft(ctx, CARD_SECTION_RULES.limitationsMissing, ['limitations'], 'limitations'));
  push(
    gapDraft(
      ctx,
      CARD_SECTION_RULES.biasMissing,
      ctx.kind === 'model' ? ['bias-risks', 'ethical-considerations'] : ['bias-risks', 'social-impact'],
      'bias, risks or ethical considerations',
    ),
  );
  if (ctx.kind === 'model' && !('co2_eq_emissions' in ctx.meta))
    push(
      gapDraft(
        ctx,
        CARD_SECTION_RULES.environmentalMissing,
        ['environmental-impact'],
        'environmental impact',
      ),
    );
  if (!BIBTEX.test(ctx.text))
    push(gapDraft(ctx, CARD_SECTION_RULES.citationMissing, ['citation'], 'citation'));
  // Every address has an `@`: a card without one is not scanned for it.
  // Dataset cards: who to contact is the Datasheets maintenance question (CARD-DATASHEET-MISSING).
  if (ctx.kind === 'model' && !(ctx.text.includes('@') && EMAIL.test(ctx.text)) && !ISSUE_LINK.test(ctx.text))
    push(gapDraft(ctx, CARD_SECTION_RULES.contactMissing, ['contact'], 'contact'));
  for (const topic of ctx.settings.require) {
    const c = coverage(ctx.topics, topic as Topic);
    if (c.state === 'content') continue;
    drafts.push({
      rule: CARD_SECTION_RULES.requiredSection,
      message: `pedigree.yaml requires ${topicLabel(topic as Topic)}: ${describeGap(c, topic.replace(/-/g, ' '), ctx)}`,
      line: c.line ?? 1,
      field: topicLabel(topic as Topic),
      evidence: `cards.require: ${topic}; found: ${c.state}`,
    });
  }
  return drafts;
};
