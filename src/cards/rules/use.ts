import type { Severity } from '../../core/finding.js';
import type { RuleDescriptor } from '../../core/rules.js';
import type { CardAuditContext, CardCheck, CardFindingDraft } from '../audit/types.js';
import {
  type DomainAssessment,
  describeSignal,
  detectHighRiskDomains,
  type ProseLine,
  type ProseSentence,
  sectionField,
  topicProse,
  topicSentences,
} from '../domains.js';
import { stripPlaceholders } from '../placeholders.js';
import { coverage, type Topic, type TopicCoverage } from '../topics.js';

const MITCHELL = 'https://arxiv.org/abs/1810.03993';
const GEBRU = 'https://arxiv.org/abs/1803.09010';
const HUB_MODEL_CARDS = 'https://huggingface.co/docs/hub/model-cards';
const AI_ACT = 'https://eur-lex.europa.eu/eli/reg/2024/1689/oj';

/**
 * Rules about what a card says the model is for, who should use it and what it must not be used for
 * (Mitchell et al. 2019 §4.2 "Intended Use"), and what a card in a high-risk domain owes its readers.
 */
export const CARD_USE_RULES = {
  intendedUseMissing: {
    id: 'CARD-INTENDED-USE-MISSING',
    title: 'Model card states no intended use',
    description:
      'The model card has no intended-use section with content ("Intended Use", "Uses", "Direct Use"...) and no sentence saying what the model is for. Mitchell et al. (2019, §4.2) put intended use first among what a reader needs: without it a model is applied to whatever it seems to fit. Medium: the gap leads directly to misapplication, but is not itself a defect of the model.',
    help: 'Add an "Intended Use" section: the primary uses the model was built and evaluated for, in a few sentences.',
    defaultSeverity: 'medium',
    references: [MITCHELL, HUB_MODEL_CARDS],
    tags: ['card', 'intended-use'],
  },
  outOfScopeMissing: {
    id: 'CARD-OUT-OF-SCOPE-MISSING',
    title: 'Model card states no out-of-scope use',
    description:
      'The model card says nothing about uses it is not fit for or must not be put to (no "Out-of-Scope Use" or "Misuse" section, no "should not be used for..." sentence). Low; medium when the card is in a high-risk domain, where the EU AI Act (Art. 13(3)(b)(iii)) requires instructions for use to state foreseeable misuse, and where text left from the Hub template ("should not be used to intentionally create hostile or alienating environments") does not count.',
    help: 'Add an "Out-of-Scope Use" section: uses the model was not evaluated for, uses that would be harmful, and misuse you foresee.',
    defaultSeverity: 'low',
    references: [MITCHELL, HUB_MODEL_CARDS, AI_ACT],
    tags: ['card', 'intended-use'],
  },
  usersMissing: {
    id: 'CARD-USERS-MISSING',
    title: 'Model card names no intended users',
    description:
      'The model card does not say who the model is for ("Primary intended users", or a sentence such as "intended for researchers" under intended use). Mitchell et al. (2019, §4.2) ask for the intended users next to the intended uses. Info; low in a high-risk domain, where whether a model is meant for clinicians, recruiters or the public changes what is safe.',
    help: 'Name the intended users in the intended-use section ("The primary intended users are ...").',
    defaultSeverity: 'info',
    references: [MITCHELL],
    tags: ['card', 'intended-use'],
  },
  highRiskDomain: {
    id: 'CARD-HIGH-RISK-DOMAIN',
    title: 'Card is in a high-risk domain',
    description:
      'The metadata, name or description puts the model or dataset in a high-risk domain: medical and health, hate speech and toxicity, biometrics (face or speaker recognition, emotion recognition), employment, credit and insurance, law enforcement and justice, education and exam scoring, children, migration (EU AI Act Annex III and Annex I; Mitchell et al. 2019). Info: it is not a defect, it raises what the card must say (limitations, biases, out-of-scope uses), which the related rules check.',
    help: 'Check the card documents limitations, biases and out-of-scope uses for this domain, and that the domain is intended; if the detection is wrong, disable the rule for this card.',
    defaultSeverity: 'info',
    references: [AI_ACT, MITCHELL],
    tags: ['card', 'high-risk'],
  },
  highRiskLimitationsMissing: {
    id: 'CARD-HIGH-RISK-LIMITATIONS-MISSING',
    title: 'High-risk card states no limitations',
    description:
      'The card is in a high-risk domain but has no limitations section with content of its own (generic template text about language models does not count). High: in these domains a reader who does not know where the model fails harms people (a missed diagnosis, a rejected applicant), and the EU AI Act (Art. 13(3)(b)(ii)-(iii)) requires the limitations of performance and foreseeable risks to be stated. Medium when the domain was detected with medium confidence.',
    help: 'Add a "Limitations" section specific to the domain: conditions and populations the model was not validated on, known failure modes, accuracy limits.',
    defaultSeverity: 'high',
    references: [AI_ACT, MITCHELL, GEBRU],
    tags: ['card', 'high-risk', 'limitations'],
  },
  highRiskBiasMissing: {
    id: 'CARD-HIGH-RISK-BIAS-MISSING',
    title: 'High-risk card states no biases or risks',
    description:
      'The card is in a high-risk domain but has no bias, risks or fairness section with content of its own (for a dataset: bias, social impact or personal data); generic template text does not count. High: discrimination is the main harm in these domains, and the EU AI Act (Art. 10(2)(f)-(g)) requires data to be examined for biases that affect health, safety or fundamental rights; Mitchell et al. (2019, §4.7-4.8) ask for results disaggregated by group and for ethical considerations. Medium when the domain was detected with medium confidence.',
    help: 'Add a "Bias, Risks, and Limitations" section for the domain: which groups the model or data may serve worse, what was measured, and what risks remain.',
    defaultSeverity: 'high',
    references: [AI_ACT, MITCHELL, GEBRU],
    tags: ['card', 'high-risk', 'bias'],
  },
} as const satisfies Record<string, RuleDescriptor>;

// ---------------------------------------------------------------------------------------------------------
// What a section says
// ---------------------------------------------------------------------------------------------------------

/** Letters a section must keep, after template text and placeholders are removed, to say something. */
const MIN_SUBSTANTIVE_LETTERS = 20;

/**
 * Default text of the Hugging Face model card templates of 2022 (the Model Card Writing Tool and the cards
 * written for Liang et al.'s intervention study, arXiv:2402.05160), which say nothing about the model they
 * are in. Over lower-cased, whitespace-collapsed text with links reduced to their text.
 */
export const GENERIC_TEXT: readonly RegExp[] = [
  /significant research has explored bias and fairness issues with language models(?:\s*\((?:[^()]|\([^()]{0,40}\)){0,400}\))?\.?/g,
  /predictions generated by the model may include disturbing and harmful stereotypes across protected classes[^.]{0,200}\.?/g,
  /the model should not be used to intentionally create hostile or alienating environments for people\.?/g,
  /content warning:?\s*readers should be aware[^.]{0,300}\.?/g,
  /users \(both direct and downstream\) should be made aware of the risks, biases,? and limitations of the model\.?/g,
  /more information needed for further recomm?endations\.?/g,
];

/** The text that remains once generic template text and placeholders are removed. */
function withoutGenericText(lines: readonly ProseLine[]): string {
  let text = lines
    .map((l) => stripPlaceholders(l.text, { sectionTitle: undefined, trainerCard: false }).rest)
    .join(' ')
    .toLowerCase()
    .replace(/\s+/g, ' ');
  for (const pattern of GENERIC_TEXT) text = text.replace(pattern, ' ');
  return text;
}

function isSubstantive(lines: readonly ProseLine[]): boolean {
  const letters = withoutGenericText(lines).match(/\p{L}/gu);
  return (letters?.length ?? 0) >= MIN_SUBSTANTIVE_LETTERS;
}

/** How a card answers a question that may be spread over several topics. */
export interface TopicAnswer {
  /** `generic`: the sections hold only template text that says nothing about this model or dataset. */
  readonly state: 'content' | 'generic' | 'placeholder' | 'empty' | 'absent';
  /** The best coverage found (for its line and sections). */
  readonly coverage: TopicCoverage | undefined;
  /** The topic of that coverage. */
  readonly topic: Topic | undefined;
}

const STATE_RANK = { absent: 0, empty: 1, placeholder: 2, generic: 3, content: 4 } as const;

/**
 * Whether a card answers a question with content, over the topics that may hold the answer. With `strict`,
 * a section found by its heading must also hold text beyond the templates' generic sentences.
 */
export function answerOf(ctx: CardAuditContext, topics: readonly Topic[], strict: boolean): TopicAnswer {
  let best: TopicAnswer = { state: 'absent', coverage: undefined, topic: undefined };
  for (const topic of topics) {
    const cov = coverage(ctx.topics, topic);
    let state: TopicAnswer['state'] = cov.state;
    if (state === 'content' && strict && cov.sections.length > 0 && !isSubstantive(topicProse(ctx, topic)))
      state = 'generic';
    if (STATE_RANK[state] > STATE_RANK[best.state]) best = { state, coverage: cov, topic };
  }
  return best;
}

/** Where a coverage points: its first section's heading, or the labelled line. */
function whereOf(
  ctx: CardAuditContext,
  cov: TopicCoverage | undefined,
  fallback: string,
): { field: string; line?: number } {
  if (cov === undefined || cov.state === 'absent') return { field: fallback };
  const section = cov.sections[0] !== undefined ? ctx.doc.sections[cov.sections[0]] : undefined;
  if (section !== undefined) return { field: sectionField(section.title), line: section.headingLine };
  const labelled = cov.line !== undefined ? (ctx.lines[cov.line - 1] ?? '').trim().slice(0, 60) : undefined;
  return {
    field: labelled ? `"${labelled.replace(/[*_]/g, '')}"` : fallback,
    ...(cov.line !== undefined ? { line: cov.line } : {}),
  };
}

/** Says what a section holds, for messages: "holds only a placeholder". */
function describeState(state: TopicAnswer['state']): string {
  switch (state) {
    case 'generic':
      return 'holds only generic template text that says nothing about this card';
    case 'placeholder':
      return 'holds only a placeholder ([More Information Needed])';
    case 'empty':
      return 'is empty';
    case 'absent':
      return 'is missing';
    case 'content':
      return 'has content';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statements in prose
// ---------------------------------------------------------------------------------------------------------

/** "is intended for", "was designed to", "can be used for": the model's purpose stated in a sentence. */
const PURPOSE_STATEMENT =
  /\b(?:is|are|was|were)\s+(?:primarily\s+|mainly\s+|specifically\s+)?(?:intended|designed|meant|built|developed|trained|created|fine\s?tuned)\s+(?:to\s+be\s+used\s+)?(?:for|to|as)\b|\bcan\s+be\s+used\s+(?:for|to|as|in)\b|\bintended\s+(?:use|uses|for)\b|\buse\s+cases?\b|\bis\s+useful\s+for\b/;

/** "should not be used", "not intended for", "we caution against", "out of scope", "misuse". */
const MISUSE_STATEMENT =
  /\b(?:should|must|may|can)(?:\s+not|n't)\s+(?:be\s+)?(?:used|deployed|applied|relied)\b|\bnot\s+(?:be\s+)?(?:intended|designed|suitable|appropriate|meant|recommended|fit|evaluated)\s+(?:for|to|as)\b|\b(?:caution|advise|recommend|warn)\s+against\b|\bout\s+of\s+scope\b|\bmisuse\b|\bprohibited\b|\bdo\s+not\s+use\b|\bnot\s+for\s+(?:use|production|clinical|commercial|medical|deployment)\b/;

/** The generic out-of-scope sentence of the 2022 Hub template (normalised: `-` read as a space). */
const GENERIC_MISUSE = /hostile or alienating environments for people/;

/**
 * Who a model is for, named in a sentence: "for researchers", "AI practitioners", "clinicians". Generic
 * "users" does not name anyone.
 */
const USER_NOUNS =
  /\b(?:researchers?|scientists?|developers?|practitioners?|engineers?|students?|educators?|teachers?|clinicians?|physicians?|doctors?|radiologists?|nurses?|analysts?|journalists?|academics?|hobbyists?|enthusiasts?|artists?|musicians?|writers?|designers?|businesses|companies|enterprises|organi[sz]ations|institutions|governments?|end\s+users|general\s+public|the\s+public|moderators?|linguists?|translators?|professionals|specialists|experts|amateurs?|(?:research|scientific|open\s+source|nlp|ml|ai)\s+communit(?:y|ies))\b/;

function sentencesOf(ctx: CardAuditContext, topics: readonly Topic[], intro: boolean): ProseSentence[] {
  return topicSentences(ctx, topics, intro);
}

function firstStatement(
  sentences: readonly ProseSentence[],
  pattern: RegExp,
  accept: (s: ProseSentence) => boolean = (s) => !s.negated,
): { sentence: ProseSentence; index: number } | undefined {
  for (const sentence of sentences) {
    if (!accept(sentence)) continue;
    const m = pattern.exec(sentence.text);
    if (m) return { sentence, index: m.index };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------------------

function intendedUseDraft(ctx: CardAuditContext): CardFindingDraft | undefined {
  const answer = answerOf(ctx, ['intended-use'], false);
  if (answer.state === 'content') return undefined;
  // A card without the heading may still say what the model is for in its description.
  const stated = firstStatement(sentencesOf(ctx, ['model-description'], true), PURPOSE_STATEMENT);
  if (stated !== undefined) return undefined;
  const where = whereOf(ctx, answer.coverage, '§ Intended Use');
  return {
    rule: CARD_USE_RULES.intendedUseMissing,
    message:
      answer.state === 'absent'
        ? 'The card states no intended use: no "Intended Use" or "Uses" section, and no sentence in the description saying what the model is for'
        : `The card states no intended use: ${where.field} ${describeState(answer.state)}`,
    ...where,
    evidence:
      answer.state === 'absent'
        ? 'no heading or label naming intended use (Intended Use, Uses, Direct Use, Use Cases); no "intended for" / "can be used for" sentence in the description'
        : `${where.field}${where.line !== undefined ? ` (line ${where.line})` : ''}: ${answer.state}`,
  };
}

function outOfScopeDraft(
  ctx: CardAuditContext,
  highRisk: readonly DomainAssessment[],
): CardFindingDraft | undefined {
  const strict = highRisk.length > 0;
  const answer = answerOf(ctx, ['out-of-scope'], strict);
  if (answer.state === 'content') return undefined;
  // A "should not be used for..." sentence under intended use, limitations or risks states it too.
  const sentences = sentencesOf(
    ctx,
    [
      'intended-use',
      'users',
      'model-description',
      'limitations',
      'bias-risks',
      'recommendations',
      'ethical-considerations',
    ],
    true,
  );
  const stated = firstStatement(sentences, MISUSE_STATEMENT, (s) => !strict || !GENERIC_MISUSE.test(s.text));
  if (stated !== undefined) return undefined;
  const where = whereOf(ctx, answer.coverage, '§ Out-of-Scope Use');
  const domains = highRisk.map((d) => d.label).join(', ');
  const what =
    answer.state === 'absent'
      ? 'no "Out-of-Scope Use" or "Misuse" section and no "should not be used for" sentence'
      : `${where.field} ${describeState(answer.state)}`;
  return {
    rule: CARD_USE_RULES.outOfScopeMissing,
    ...(strict ? { severity: 'medium' as Severity } : {}),
    message: strict
      ? `The card is in a high-risk domain (${domains}) but states no out-of-scope use: ${what}`
      : `The card states no out-of-scope use: ${what}`,
    ...where,
    evidence: `${answer.state === 'absent' ? 'out-of-scope: absent' : `${where.field}${where.line !== undefined ? ` (line ${where.line})` : ''}: ${answer.state}`}${strict ? `; high-risk domain: ${domains}` : ''}`,
    ...(strict
      ? {
          remediation: `Add an "Out-of-Scope Use" section naming the ${domains} uses the model must not be put to (for example decisions about individuals without human review) and the misuse you foresee.`,
        }
      : {}),
  };
}

function usersDraft(
  ctx: CardAuditContext,
  highRisk: readonly DomainAssessment[],
): CardFindingDraft | undefined {
  const answer = answerOf(ctx, ['users'], false);
  if (answer.state === 'content') return undefined;
  const named = firstStatement(sentencesOf(ctx, ['intended-use', 'users'], false), USER_NOUNS);
  if (named !== undefined) return undefined;
  const where = whereOf(ctx, answer.coverage, '§ Intended Use');
  return {
    rule: CARD_USE_RULES.usersMissing,
    ...(highRisk.length > 0 ? { severity: 'low' as Severity } : {}),
    message:
      answer.state === 'absent'
        ? 'The card does not name its intended users (researchers, developers, clinicians...): no "Intended Users" section and none named under intended use'
        : `The card does not name its intended users: ${where.field} ${describeState(answer.state)}`,
    ...where,
    evidence:
      answer.state === 'absent'
        ? 'no "Primary intended users" heading or label; no user group named in the intended-use text'
        : `${where.field}: ${answer.state}`,
  };
}

/** The topics that hold a card's limitations, and its biases and risks, per kind. */
const LIMITATION_TOPICS: readonly Topic[] = ['limitations'];
const BIAS_TOPICS: Readonly<Record<CardAuditContext['kind'], readonly Topic[]>> = {
  model: ['bias-risks', 'ethical-considerations'],
  dataset: ['bias-risks', 'social-impact', 'personal-data'],
};

function domainDraft(ctx: CardAuditContext, domain: DomainAssessment): CardFindingDraft {
  const first = domain.signals[0];
  return {
    rule: CARD_USE_RULES.highRiskDomain,
    message: `The ${ctx.kind} is in a high-risk domain, ${domain.label} (${domain.confidence} confidence): ${domain.signals
      .slice(0, 3)
      .map(describeSignal)
      .join('; ')}`,
    ...(first?.line !== undefined ? { line: first.line } : {}),
    ...(first !== undefined ? { field: first.field } : {}),
    evidence: `${domain.domain}: ${domain.signals.map((s) => `${s.strength} term "${s.term}" ${describeSignal(s)}`).join('; ')}. Basis: ${domain.basis}`,
  };
}

function highRiskSectionDraft(
  ctx: CardAuditContext,
  highRisk: readonly DomainAssessment[],
  which: 'limitations' | 'bias',
): CardFindingDraft | undefined {
  const topics = which === 'limitations' ? LIMITATION_TOPICS : BIAS_TOPICS[ctx.kind];
  const answer = answerOf(ctx, topics, true);
  if (answer.state === 'content') return undefined;
  const confident = highRisk.some((d) => d.confidence === 'high');
  const domains = highRisk.map((d) => d.label).join(', ');
  const fallback =
    which === 'limitations'
      ? '§ Limitations'
      : ctx.kind === 'dataset'
        ? '§ Discussion of Biases'
        : '§ Bias, Risks, and Limitations';
  const where = whereOf(ctx, answer.coverage, fallback);
  const subject =
    which === 'limitations'
      ? 'limitations'
      : ctx.kind === 'dataset'
        ? 'biases, social impact or personal data'
        : 'biases, risks or fairness';
  const what =
    answer.state === 'absent' ? `no section on ${subject}` : `${where.field} ${describeState(answer.state)}`;
  return {
    rule:
      which === 'limitations'
        ? CARD_USE_RULES.highRiskLimitationsMissing
        : CARD_USE_RULES.highRiskBiasMissing,
    ...(confident ? {} : { severity: 'medium' as Severity }),
    message: `The card is in a high-risk domain (${domains}) but states no ${subject}: ${what}`,
    ...where,
    evidence: `${topics.join('/')}: ${answer.state}${answer.topic !== undefined ? ` (via ${answer.topic})` : ''}; domain evidence: ${highRisk
      .map((d) => `${d.domain} (${d.confidence}) ${d.signals.slice(0, 2).map(describeSignal).join(', ')}`)
      .join('; ')}`,
  };
}

/**
 * Intended use, out-of-scope use and intended users (model cards), and the high-risk domain of any card with
 * what it then requires: limitations and biases with content of their own.
 */
export const checkUse: CardCheck = (ctx) => {
  const drafts: CardFindingDraft[] = [];
  const highRisk = detectHighRiskDomains(ctx);
  for (const domain of highRisk) drafts.push(domainDraft(ctx, domain));
  if (ctx.kind === 'model') {
    for (const draft of [intendedUseDraft(ctx), outOfScopeDraft(ctx, highRisk), usersDraft(ctx, highRisk)])
      if (draft) drafts.push(draft);
  }
  if (highRisk.length > 0) {
    for (const which of ['limitations', 'bias'] as const) {
      const draft = highRiskSectionDraft(ctx, highRisk, which);
      if (draft) drafts.push(draft);
    }
  }
  return drafts;
};
