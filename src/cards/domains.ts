/**
 * High-risk application domains of a model or dataset, detected from its card with the evidence for each.
 *
 * A card in one of these domains owes its readers more: what it must not be used for, its limitations and
 * its known biases. The list follows the EU AI Act (Regulation (EU) 2024/1689): Annex III names the areas
 * where an AI system is high-risk (biometrics, education, employment, essential services such as credit and
 * insurance, law enforcement, migration, justice), and Art. 6(1) with Annex I adds medical devices. Two
 * areas outside Annex III are added because model-card practice treats them as sensitive: hate speech and
 * toxicity classifiers (one of the two worked examples of Mitchell et al., "Model Cards for Model
 * Reporting", FAT* 2019, arXiv:1810.03993, is a toxicity classifier) and data about or for children (AI Act
 * Art. 9(9); GDPR Art. 8 and Recital 38).
 *
 * Precision matters more than recall: a card is put in a domain by terms that name it ("clinical",
 * "diabetes", "hate speech", "face recognition"), not by words that merely occur near it ("bias",
 * "health", "emotion"). A strong term in the metadata or the card's name settles it; in the prose it takes
 * one strong term for a medium confidence, several for a high one; weak terms only count three together.
 * Sentences that deny or warn ("should not be used for medical diagnosis") are not evidence.
 *
 * Pure: reads the card's metadata, headings and lines; every regular expression is linear (no nested
 * quantifiers) and runs over bounded text.
 */
import type { CardAuditContext } from './audit/types.js';
import type { CardSection } from './card-document.js';
import { sectionTopics } from './rules/prose.js';
import { coverage, type Topic } from './topics.js';

// ---------------------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------------------

/** Card lines read per topic or source: a card padded with prose cannot make detection slow. */
export const MAX_PROSE_LINES = 800;
/**
 * Characters read per topic or source. With `MAX_PROSE_LINES` this bounds the work of the markup patterns,
 * whose bounded repetitions cost up to a few hundred steps per character on hostile input.
 */
export const MAX_PROSE_CHARS = 100_000;
/** Characters of one line looked at; longer lines (minified HTML, base64 images) are cut. */
export const MAX_LINE_CHARS = 1000;
/** Sections read per topic: a card with thousands of "## Uses" headings is not read a thousand times. */
export const MAX_TOPIC_SECTIONS = 50;
/** Characters of one sentence matched against the term lists (a sentence longer than this is cut). */
export const MAX_SENTENCE_CHARS = 1500;
/** Metadata values read per card (tags, datasets...): metadata with thousands of tags is cut, not scanned. */
export const MAX_METADATA_VALUES = 200;
/** Characters of one metadata value matched: a tag is a few words; a longer value is prose pasted in. */
export const MAX_METADATA_CHARS = 200;
/** Signals kept per domain as evidence. */
const MAX_SIGNALS_PER_DOMAIN = 8;
/** Characters of matched text quoted in evidence. */
const MAX_QUOTED_CHARS = 60;

// ---------------------------------------------------------------------------------------------------------
// Domains
// ---------------------------------------------------------------------------------------------------------

export type HighRiskDomain =
  | 'medical'
  | 'hate-speech'
  | 'biometrics'
  | 'employment'
  | 'credit-insurance'
  | 'law-enforcement'
  | 'education'
  | 'children'
  | 'migration';

export interface HighRiskDomainInfo {
  readonly id: HighRiskDomain;
  /** For messages: "medical and health". */
  readonly label: string;
  /** Why the domain is high-risk: the legal provision or the literature. */
  readonly basis: string;
}

export const HIGH_RISK_DOMAINS: Readonly<Record<HighRiskDomain, HighRiskDomainInfo>> = {
  medical: {
    id: 'medical',
    label: 'medical and health',
    basis:
      'EU AI Act Art. 6(1) with Annex I (medical devices, Regulations (EU) 2017/745 and 2017/746) and Annex III point 5(a) and 5(d) (access to healthcare, emergency patient triage)',
  },
  'hate-speech': {
    id: 'hate-speech',
    label: 'hate speech, toxicity and offensive content',
    basis:
      'content moderation decides what people may say (Regulation (EU) 2022/2065, Digital Services Act); Mitchell et al. 2019 use a toxicity classifier as a worked model card, and such classifiers are known to flag minority dialects (Sap et al., ACL 2019)',
  },
  biometrics: {
    id: 'biometrics',
    label: 'biometric identification, categorisation or emotion recognition',
    basis:
      'EU AI Act Annex III point 1(a)-(c); Art. 5(1)(f) and (h) prohibit emotion recognition at work and in education and most real-time remote biometric identification by police',
  },
  employment: {
    id: 'employment',
    label: 'employment and hiring',
    basis:
      'EU AI Act Annex III point 4(a)-(b) (recruitment, selection, promotion, termination, monitoring of workers)',
  },
  'credit-insurance': {
    id: 'credit-insurance',
    label: 'credit scoring, lending and insurance',
    basis:
      'EU AI Act Annex III point 5(b) (creditworthiness and credit scores; fraud detection is excepted) and 5(c) (risk assessment and pricing in life and health insurance)',
  },
  'law-enforcement': {
    id: 'law-enforcement',
    label: 'law enforcement and criminal justice',
    basis: 'EU AI Act Annex III point 6 (law enforcement) and point 8(a) (administration of justice)',
  },
  education: {
    id: 'education',
    label: 'education and exam scoring',
    basis: 'EU AI Act Annex III point 3(a)-(d) (admission, evaluating learning outcomes, proctoring)',
  },
  children: {
    id: 'children',
    label: 'children',
    basis:
      'EU AI Act Art. 9(9) (risk management must consider persons under 18); GDPR Art. 8 and Recital 38 (children merit specific protection of their personal data)',
  },
  migration: {
    id: 'migration',
    label: 'migration, asylum and border control',
    basis: 'EU AI Act Annex III point 7(a)-(d)',
  },
};

// ---------------------------------------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------------------------------------

export type TermStrength = 'strong' | 'weak';

/** A term naming a domain. Patterns run over `normalizeForTerms` output: lower case, `-_/` as spaces. */
export interface DomainTerm {
  /** Stable name of the term, shown in evidence ("diabetes" is found by the term "medical condition"). */
  readonly id: string;
  readonly pattern: RegExp;
  readonly strength: TermStrength;
  /** Tested on the text just before a match; a hit discards it ("non clinical", "plant disease"). */
  readonly notAfter?: RegExp;
}

/** Text before a match that negates the term itself: "non-clinical", "non medical". */
const NON_PREFIX = /\bnon\s?$/;

const strong = (id: string, pattern: RegExp, notAfter?: RegExp): DomainTerm => ({
  id,
  pattern,
  strength: 'strong',
  ...(notAfter ? { notAfter } : {}),
});
const weak = (id: string, pattern: RegExp, notAfter?: RegExp): DomainTerm => ({
  id,
  pattern,
  strength: 'weak',
  ...(notAfter ? { notAfter } : {}),
});

/**
 * The terms of each domain. Strong terms name the domain on their own; weak ones are ambiguous ("health",
 * "credit", "faces", "students") and only count together. Ambiguities resolved here, from real cards:
 * "emotion recognition" on text is not biometric (AI Act Art. 3(39): emotions inferred from biometric
 * data), so only speech, voice and face emotion recognition are strong; "patient" as an adjective, "fault
 * diagnosis", "plant disease", "medium" (a model size) and "iris" (the flower data set) are not medical or
 * biometric; fraud detection is excepted from Annex III 5(b); "recruitment of annotators" is not hiring;
 * "hiring" alone is weak ("Toby Walsh (Hiring 6 PhDs)" is a display name, not a hiring model): it is strong
 * only with hiring decisions, candidates, applicants, CVs or résumés.
 */
export const DOMAIN_TERMS: Readonly<Record<HighRiskDomain, readonly DomainTerm[]>> = {
  medical: [
    strong('medical', /\bmedical(?:ly)?\b/, NON_PREFIX),
    strong('medicine', /\bmedicines?\b/, NON_PREFIX),
    strong('clinical', /\bclinical(?:ly)?\b/, /\b(?:non|pre)\s?$/),
    strong('clinician', /\b(?:clinicians?|physicians?|radiologists?|pathologists?|psychiatrists?)\b/),
    strong(
      'patients',
      /\bpatients\b|\bpatient\s+(?:data|records?|notes?|care|safety|outcomes?|information|triage|histor(?:y|ies))\b/,
    ),
    strong(
      'diagnosis',
      /\bdiagnos(?:is|es)\b/,
      /\b(?:fault|error|failure|bug|system|network|engine|machine)\s+$/,
    ),
    strong('healthcare', /\bhealth\s?care\b/),
    strong('health records', /\b(?:health|medical|patient)\s+records?\b|\b(?:ehrs?|emrs?)\b/),
    strong(
      'mental health',
      /\bmental\s+health\b|\bsuicid(?:e|al)\s+(?:risk|ideation|prevention|detection)\b/,
    ),
    strong('biomedical', /\bbiomedic(?:al|ine)\b/),
    strong(
      'medical condition',
      /\b(?:diabet(?:es|ic)|cancers?|tumou?rs?|oncolog\w*|alzheimer'?s?|parkinson'?s?|dementia|pneumonia|sepsis|epilep(?:sy|tic)|cardiovascular|arrhythmias?|retinopathy|glaucoma|melanoma|leuka?emia|tuberculosis|autism|adhd|schizophreni\w*)\b/,
      /\bplant\s+$/,
    ),
    strong(
      'medical specialty',
      /\b(?:radiolog(?:y|ical)|patholog(?:y|ies)|histopatholog\w*|dermatolog\w*|ophthalmolog\w*|cardiolog\w*|psychiatr(?:y|ic)|p(?:a)?ediatrics?|surg(?:ery|eries|ical|eons?))\b/,
    ),
    strong(
      'medical imaging',
      /\b(?:chest\s+x\s?rays?|f?mri|ct\s+scans?|ultrasound\s+images?|mammogra\w*|ecgs?|ekgs?|electrocardiogra\w*|fundus\s+(?:images?|photographs?)|skin\s+lesions?|medical\s+imag\w*)\b/,
    ),
    strong('clinical coding', /\b(?:icd\s?(?:9|10|11)|snomed(?:\s?ct)?|umls|loinc)\b/),
    strong(
      'medical dataset',
      /\b(?:mimic\s?(?:iii|iv|cxr|3|4)|chexpert|pubmed(?:qa|bert)?|medqa|mednli|medmcqa|i2b2|n2c2|bc5cdr|bioasq)\b/,
    ),
    strong(
      'medication',
      /\b(?:medications?|prescriptions?|pharmacovigilance|adverse\s+drug\s+(?:events?|reactions?))\b/,
    ),
    strong('medical model name', /\bmed(?:alpaca|itron|palm|gemma|llama|sam|bert)\b/),
    weak('disease', /\bdiseases?\b/),
    weak('health', /\bhealth\b/),
    weak('doctor', /\b(?:doctors?|nurses?|nursing|hospitals?)\b/),
    weak('drug', /\bdrugs?\b/),
    weak('therapy', /\btherap(?:y|ies|ists?|eutic)\b/),
    weak('symptom', /\bsymptoms?\b/),
    weak('diagnostic', /\bdiagnos(?:tic|tics|e|ed|ing)\b/),
    weak('covid', /\b(?:covid(?:\s?19)?|sars\s?cov\s?2)\b/),
    weak('triage', /\btriage\b/),
  ],
  'hate-speech': [
    strong('hate speech', /\bhate\s?speech\b/),
    strong('hateful', /\bhateful\b/),
    strong(
      'toxic content',
      /\btoxic(?:ity)?\s+(?:comments?|language|speech|content|text|posts?|messages?|memes?|tweets?|detection|classification|classifiers?|spans?)\b/,
    ),
    strong(
      'offensive content',
      /\boffensive\s+(?:language|content|speech|text|posts?|comments?|tweets?|memes?|statements?|jokes?)\b/,
    ),
    strong(
      'abusive language',
      /\babusive\s+(?:language|content|speech|comments?|posts?|tweets?|messages?)\b/,
    ),
    strong('cyberbullying', /\bcyber\s?bull(?:y|ying|ies)\b/),
    strong('content moderation', /\bcontent\s+moderation\b/),
    strong('misogyny', /\bmisogyn(?:y|ist|istic)\b/),
    strong('harassment detection', /\b(?:harassment|sexism|racism)\s+(?:detection|classification)\b/),
    weak('toxic', /\btoxic(?:ity)?\b/),
    weak('offensive', /\boffensive(?:ness)?\b/),
    weak('profanity', /\b(?:profan(?:e|ity)|obscen(?:e|ity))\b/),
    weak('insults and slurs', /\b(?:insults?|slurs?|lewd)\b/),
    weak('hate', /\bhate\b/),
    weak('harassment', /\bharass(?:ment|ing)?\b/),
    weak('racism', /\b(?:racis[mt]|sexis[mt])\b/),
  ],
  biometrics: [
    strong(
      'face recognition',
      /\b(?:face|facial)\s+(?:recognition|identification|verification|re\s?identification|matching|authentication)\b/,
    ),
    strong('person re-identification', /\b(?:person|pedestrian)\s+re\s?identification\b/),
    strong(
      'speaker recognition',
      /\bspeaker\s+(?:recognition|identification|verification|authentication|embeddings?)\b/,
    ),
    strong(
      'voice biometrics',
      /\bvoice\s+(?:biometrics?|identification|authentication|verification|prints?)\b|\bvoiceprints?\b/,
    ),
    strong(
      'emotion recognition from biometric data',
      /\b(?:speech|voice|audio|acoustic|vocal|facial|face|physiological|eeg)\s+(?:emotion|affect|expression)\s+(?:recognition|detection|classification|analysis)\b|\bfacial\s+expressions?\b|\bemotion\s+recognition\s+from\s+(?:speech|voices?|faces?|audio|video|eeg)\b/,
    ),
    strong(
      'speech gender, age or emotion recognition',
      /\b(?:speech|voice)\s+(?:gender|age|emotion)\s+recognition\b/,
    ),
    strong('gait recognition', /\bgait\s+(?:recognition|identification|analysis)\b/),
    strong('biometric', /\bbiometrics?\b/, NON_PREFIX),
    strong(
      'fingerprint or iris recognition',
      /\b(?:fingerprint|iris|palm\s?print|palm\s?vein|finger\s?vein|retina)\s+(?:recognition|identification|verification|matching|authentication)\b/,
    ),
    strong('keystroke dynamics', /\bkeystroke\s+dynamics\b/),
    strong(
      'biometric categorisation',
      /\b(?:age|gender|sex|ethnicity|race|sexual\s+orientation)\s+(?:estimation|classification|recognition|prediction|detection)\s+(?:from|of|using)\s+(?:faces?|facial|images?|photos?|voices?|speech)\b/,
    ),
    weak('faces', /\bfaces?\b/, /\bhugging\s+$/),
    weak('face detection', /\bface\s+detection\b/),
    weak('emotion recognition', /\bemotion\s+(?:recognition|detection|classification)\b/),
    weak('speaker diarization', /\bspeaker\s+diari[sz]ation\b/),
    weak('demographic classification', /\b(?:age|gender)\s+(?:estimation|classification|prediction)\b/),
    weak('fingerprint', /\bfingerprints?\b/),
    weak('surveillance', /\bsurveillance\b/),
  ],
  employment: [
    strong(
      'hiring decisions',
      /\bhiring\s+(?:decisions?|candidates?|applicants?)\b|\bhiring\b[^.!?]{0,80}?\b(?:candidates?|applicants?|cvs?|resumes?|résumés?|recruitment\s+decisions?)\b|\b(?:candidates?|applicants?|cvs?|resumes?|résumés?)\b[^.!?]{0,80}?\bhiring\b/,
      /\b(?:are|we're|is|now)\s+$/,
    ),
    strong(
      'recruitment',
      /\brecruit(?:ment|ers?)\b(?!\s+of\s+(?:annotators|participants|workers|crowd\s?workers|volunteers|raters|subjects|speakers))|\brecruiting\s+(?:process|decisions?|tools?|systems?|platforms?)\b/,
      /\b(?:annotator|participant|worker|rater|volunteer)s?\s+$/,
    ),
    strong(
      'job applicants',
      /\b(?:job|candidate)\s+(?:applicants?|candidates?|applications?|screening|matching|interviews?)\b|\bapplicant\s+(?:screening|tracking|ranking)\b/,
    ),
    strong(
      'resume screening',
      /\bresumes?\s+(?:screening|parsing|ranking|classification|matching|analysis|dataset)\b|\brésumés?\b|\bcv\s+(?:screening|parsing|ranking)\b/,
    ),
    strong('talent acquisition', /\btalent\s+(?:acquisition|management)\b/),
    strong(
      'worker management',
      /\bemployee\s+(?:performance|monitoring|evaluation|attrition|turnover|selection|productivity)\b|\bworkplace\s+(?:monitoring|surveillance)\b|\b(?:promotion|termination|employment)\s+decisions?\b/,
    ),
    weak('hiring', /\bhiring\b/, /\b(?:are|we're|is|now)\s+$/),
    weak('employment', /\bemploy(?:ment|ees?|ers?)\b/),
    weak('jobs', /\bjobs?\b/),
    weak('careers', /\bcareers?\b/),
    weak('human resources', /\bhuman\s+resources\b/),
    weak('workforce', /\bworkforce\b/),
    weak('salary', /\bsalar(?:y|ies)\b/),
  ],
  'credit-insurance': [
    strong(
      'credit scoring',
      /\bcredit\s?(?:scor(?:e|es|ing)|worthiness|risk|ratings?|approvals?|decisions?|applications?|limits?|underwriting)\b|\bcreditworth\w*\b/,
    ),
    strong(
      'loan decisions',
      /\bloans?\s+(?:approvals?|defaults?|applications?|eligibility|decisions?|underwriting|risk|repayment)\b/,
    ),
    strong('lending decisions', /\blending\s+(?:decisions?|risk|models?)\b/),
    strong(
      'mortgage decisions',
      /\bmortgage\s+(?:approvals?|applications?|decisions?|underwriting|defaults?)\b/,
    ),
    strong('underwriting', /\bunderwrit(?:e|es|ing|ers?|ten)\b/),
    strong(
      'insurance pricing',
      /\binsurance\s+(?:pricing|premiums?|underwriting|claims?|risk)\b|\b(?:life|health)\s+insurance\b|\bactuarial\b/,
    ),
    weak('credit', /\bcredit\b/),
    weak('loans', /\bloans?\b/),
    weak('lending', /\blending\b/),
    weak('insurance', /\binsurance\b/),
    weak('mortgages', /\bmortgages?\b/),
    weak('banking', /\bbanking\b/),
    weak('borrowers', /\bborrowers?\b/),
  ],
  'law-enforcement': [
    strong('recidivism', /\brecidivism\b/),
    strong(
      'predictive policing',
      /\bpredictive\s+policing\b|\bcrime\s+(?:prediction|forecasting|hot\s?spots?)\b/,
    ),
    strong('criminal justice', /\bcriminal\s+(?:justice|sentencing|risk|records?|profiling)\b/),
    strong(
      'sentencing and parole',
      /\b(?:sentencing|parole)\b|\b(?:bail|pre\s?trial)\s+(?:decisions?|risk|assessments?|detention|hearings?)\b/,
    ),
    strong('compas', /\bcompas\b/),
    strong(
      'law enforcement',
      /\blaw\s+enforcement\b|\bpolic(?:e|ing)\s+(?:use|reports?|investigations?|forces?|departments?|officers?)\b/,
    ),
    strong('lie detection', /\b(?:lie|deception)\s+detect(?:ion|ors?)\b|\bpolygraphs?\b/),
    strong(
      'judicial decisions',
      /\b(?:judicial|court)\s+(?:decisions?|rulings?|judg(?:e)?ments?|outcomes?|authorit(?:y|ies))\b|\b(?:legal\s+judg(?:e)?ment|case\s+outcome|court\s+outcome)\s+prediction\b/,
    ),
    weak('crime', /\bcrim(?:e|es|inal|inals)\b/),
    weak('police', /\bpolice\b/),
    weak('courts', /\bcourts?\b/),
    weak('legal', /\blegal\b/),
    weak('offenders', /\b(?:offenders?|suspects?|prisons?|prisoners?)\b/),
    weak('forensics', /\bforensics?\b/),
    weak('surveillance', /\bsurveillance\b/),
  ],
  education: [
    strong(
      'essay scoring',
      /\b(?:automated|automatic)\s+(?:essay|short\s+answer)\s+(?:scoring|grading|evaluation)\b|\b(?:essay|answer)\s+(?:scoring|grading)\b/,
    ),
    strong('proctoring', /\bproctor(?:ing|ed|s)?\b/),
    strong(
      'admissions',
      /\b(?:student|university|college|school)\s+admissions?\b|\badmissions?\s+decisions?\b/,
    ),
    strong(
      'student assessment',
      /\bstudent\s+(?:assessment|evaluation|grading|performance|dropout|success)\b|\bgrading\s+(?:students?|exams?|essays?|assignments?|homework)\b|\blearning\s+outcomes?\b|\b(?:cheating|plagiarism)\s+detection\b/,
    ),
    weak('students', /\bstudents?\b/),
    weak('exams', /\bexam(?:s|inations?)?\b/),
    weak('grading', /\bgrading\b/),
    weak('education', /\beducation(?:al)?\b/),
    weak('schools', /\b(?:schools?|classrooms?)\b/),
    weak('teachers', /\b(?:teachers?|tutors?|tutoring)\b/),
  ],
  children: [
    strong(
      "children's data",
      /\b(?:child|children|kids?)(?:'s|s')?\s+(?:speech|voices?|faces?|images?|photos?|photographs?|recordings?|data|drawings?|handwriting|utterances)\b|\b(?:speech|voices?|faces?|images?|photos?|photographs?|recordings?|data)\s+(?:of|from)\s+(?:young\s+)?(?:children|minors|kids|infants|toddlers)\b/,
    ),
    strong('minors', /\bminors\b/),
    strong(
      'child abuse material',
      /\bcsam\b|\bchild\s+(?:sexual\s+)?(?:abuse|exploitation|pornography|grooming)\b/,
    ),
    strong('infants', /\b(?:infants?|toddlers?|newborns?|neonat(?:al|es?))\b/),
    strong('for children', /\b(?:for|by)\s+(?:young\s+)?(?:children|kids|minors)\b/),
    strong('paediatric', /\bp(?:a)?ediatrics?\b/),
    strong('coppa', /\bcoppa\b/),
    // "ages 13-17" (normalised: "ages 13 17"): an age range ending under 18.
    strong('minors by age', /\bages?\s+\d{1,2}\s*(?:to\s+|\s)\s*1[0-7]\b/),
    weak('children', /\b(?:child|children)\b/),
    weak('kids', /\bkids?\b/),
    weak('teenagers', /\b(?:teen(?:ager)?s?|adolescents?|youth)\b/),
  ],
  migration: [
    strong('asylum', /\basylum\b/),
    strong(
      'border control',
      /\bborder\s+(?:control|security|crossings?|surveillance|management|guards?|agents?|checks?)\b/,
    ),
    strong('visa decisions', /\bvisa\s+(?:applications?|decisions?|processing|applicants?)\b/),
    strong(
      'immigration decisions',
      /\bimmigration\s+(?:decisions?|control|enforcement|applications?|status|authorit(?:y|ies)|officers?)\b/,
    ),
    strong('permits and documents', /\b(?:residence|work)\s+permits?\b|\btravel\s+documents?\b/),
    strong('refugee status', /\brefugee\s+status\b|\bdeportations?\b/),
    weak('immigration', /\bimmigra(?:tion|nts?)\b/),
    weak('migrants', /\bmigrants?\b/),
    weak('refugees', /\brefugees?\b/),
    weak('borders', /\bborders?\b/),
    weak('citizenship', /\bcitizenship\b/),
  ],
};

// ---------------------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------------------

const NON_ASCII = /[^\x00-\x7f]/;
const TERM_SPACES = /[-_/\u2010-\u2015]/g;

/**
 * Lower case, compatibility-normalised, with `-`, `_`, `/` and dashes read as spaces so that
 * `hate-speech-detection`, `hate_speech` and "hate speech" meet. One character in, one character out (the
 * offsets of a match stay those of the input), apart from what NFKC itself merges.
 */
export function normalizeForTerms(text: string): string {
  // NFKC leaves ASCII as it is, and ASCII has no curly quotes.
  if (!NON_ASCII.test(text)) return text.toLowerCase().replace(TERM_SPACES, ' ');
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(TERM_SPACES, ' ')
    .replace(/[\u2018\u2019]/g, "'");
}

/**
 * Words that make a sentence a denial, a warning or a removal rather than a claim: "should not be used for
 * diagnosis", "we caution against", "we removed faces". Such sentences are not evidence of what the data
 * or model is. Over normalised text (so "out-of-scope" is "out of scope").
 */
const NEGATION =
  /\b(?:not|never|no|nor|none|nothing|neither|without|against|cautions?|caution(?:ed|ing)|avoid\w*|prohibit\w*|forbid\w*|out\s+of\s+scope|misuse\w*|unsuitable|inappropriate|except|exclud\w*|omit\w*|remov\w*|discard\w*|cannot|can't|don't|doesn't|isn't|aren't|won't|shouldn't|mustn't|unintended)\b/;

/** A line of card prose, with markup removed. */
export interface ProseLine {
  readonly line: number;
  readonly text: string;
  /** Where it is: `§ Intended Use`, `preamble`. */
  readonly field: string;
  /** The label the line opens with, normalised: `**Out-of-scope use cases:** ...` → `out of scope use cases`. */
  readonly label?: string;
  /** The line is part of an HTML block (`<div>...` up to the next blank line): layout, display names. */
  readonly html?: true;
}

/** A sentence of card prose, normalised for term matching. */
export interface ProseSentence {
  /** `normalizeForTerms` of the sentence (bounded by `MAX_SENTENCE_CHARS`). */
  readonly text: string;
  /** The sentence as written (cleaned of markup), for quoting. */
  readonly original: string;
  readonly field: string;
  /** Denies, warns or describes a removal (see `NEGATION`). */
  readonly negated: boolean;
  /** The label its paragraph opens with (see `ProseLine.label`). */
  readonly label: string | undefined;
  /** Its paragraph is an HTML block (see `ProseLine.html`). */
  readonly html?: true;
  /** Line of a character offset in `text`. */
  lineAt(offset: number): number;
}

const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})/;
/**
 * The start of an HTML block (CommonMark types 6 and 7, simplified): a line opening with a block-level tag,
 * or holding only tags. The block lasts up to the next blank line.
 */
const HTML_BLOCK_START =
  /^[ \t]{0,3}<\/?(?:address|article|aside|blockquote|center|details|dialog|div|dl|dt|dd|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|section|summary|table|tbody|td|tfoot|th|thead|tr|ul|img|br|span|a|font)(?:[\s/>]|$)/i;
/** `**Label**`, `__Label__` or `Label:` at the start of a line (after a list marker). */
const LINE_LABEL =
  /^[ \t]*(?:[-*+][ \t]+)?(?:(?:\*\*|__)([^*_\n]{1,80})(?:\*\*|__)|([A-Za-z][A-Za-z ()'-]{0,60}):)/;

function labelOf(raw: string): string | undefined {
  const m = LINE_LABEL.exec(raw);
  const label = m?.[1] ?? m?.[2];
  return label === undefined
    ? undefined
    : normalizeForTerms(label)
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim();
}
const HTML_TAG = /<\/?[A-Za-z][^<>\n]{0,200}>/g;
const MARKDOWN_IMAGE = /!\[[^\]\n]{0,200}\]\([^()\s]{0,500}\)/g;
const MARKDOWN_LINK = /\[([^\]\n]{0,200})\]\([^()\s]{0,500}(?:\s+"[^"\n]{0,100}")?\)/g;
const BARE_URL = /\bhttps?:\/\/[^\s)>\]]{1,1000}/g;
const INLINE_CODE = /`[^`\n]{0,200}`/g;

const SPACED_MARKUP = /[*>|]|&nbsp;/g;
const SPACED_MARKUP_CHAR = /[*>|&]/;

/** Removes `<!-- ... -->` comments that open and close on the line (by search, not by a pattern). */
function stripInlineComments(text: string): string {
  let out = text;
  for (let open = out.indexOf('<!--'); open >= 0; open = out.indexOf('<!--', open)) {
    const close = out.indexOf('-->', open + 4);
    if (close < 0) break;
    out = `${out.slice(0, open)} ${out.slice(close + 3)}`;
  }
  return out;
}

/** Removes markup a reader does not see as words: links keep their text, URLs and code go. */
export function cleanMarkup(line: string): string {
  // Each pattern is applied only when the text it works on holds a string every match of it contains.
  let text = stripInlineComments(line.slice(0, MAX_LINE_CHARS));
  if (text.includes('![')) text = text.replace(MARKDOWN_IMAGE, ' ');
  if (text.includes('](')) text = text.replace(MARKDOWN_LINK, '$1');
  if (text.includes('http')) text = text.replace(BARE_URL, ' ');
  if (text.includes('`')) text = text.replace(INLINE_CODE, ' ');
  if (text.includes('<')) text = text.replace(HTML_TAG, ' ');
  return SPACED_MARKUP_CHAR.test(text) ? text.replace(SPACED_MARKUP, ' ') : text;
}

/**
 * The prose of a range of card lines: code fences, HTML comments, tables of numbers and markup left out.
 * `from`/`to` are 1-based and inclusive; at most `MAX_PROSE_LINES` lines are read.
 */
export function proseLines(
  lines: readonly string[],
  from: number,
  to: number,
  field: string,
  out: ProseLine[] = [],
): ProseLine[] {
  let fence: string | undefined;
  let inComment = false;
  let inHtml = false;
  let chars = out.reduce((sum, l) => sum + l.text.length, 0);
  const last = Math.min(to, lines.length, from + MAX_PROSE_LINES - 1);
  for (let n = Math.max(1, from); n <= last && out.length < MAX_PROSE_LINES && chars < MAX_PROSE_CHARS; n++) {
    const raw = lines[n - 1] ?? '';
    const fenceMatch = FENCE.exec(raw);
    if (fence !== undefined) {
      if (
        fenceMatch &&
        (fenceMatch[1] as string)[0] === fence[0] &&
        (fenceMatch[1] as string).length >= fence.length
      )
        fence = undefined;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1] as string;
      continue;
    }
    let text = raw.slice(0, MAX_LINE_CHARS);
    if (inComment) {
      const end = text.indexOf('-->');
      if (end < 0) continue;
      inComment = false;
      text = text.slice(end + 3);
    }
    text = stripInlineComments(text);
    const open = text.indexOf('<!--');
    if (open >= 0) {
      inComment = true;
      text = text.slice(0, open);
    }
    if (raw.trim() === '') inHtml = false;
    else if (HTML_BLOCK_START.test(text)) inHtml = true;
    const cleaned = cleanMarkup(text);
    chars += cleaned.length;
    const label = labelOf(text);
    const line: ProseLine = label
      ? { line: n, text: cleaned, field, label }
      : { line: n, text: cleaned, field };
    out.push(inHtml ? { ...line, html: true } : line);
  }
  return out;
}

/** A list item, table row or heading-like line starts a new paragraph. */
const BLOCK_START = /^[ \t]*(?:[-+]|\d{1,3}[.)])[ \t]/;

/**
 * Splits prose lines into sentences: paragraphs end at blank lines and list items; a sentence ends at `.`,
 * `!`, `?` or `;` followed by a space and not by a lower-case letter ("e.g. the" stays one sentence).
 */
export function toSentences(prose: readonly ProseLine[]): ProseSentence[] {
  const sentences: ProseSentence[] = [];
  let parts: ProseLine[] = [];
  const flush = () => {
    if (parts.length === 0) return;
    paragraphSentences(parts, sentences);
    parts = [];
  };
  let previous: ProseLine | undefined;
  for (const line of prose) {
    if (startsParagraph(previous, line)) flush();
    if (line.text.trim() !== '') parts.push(line);
    previous = line;
  }
  flush();
  return sentences;
}

/** Whether `toSentences` ends the paragraph before `line` (after `previous`). */
function startsParagraph(previous: ProseLine | undefined, line: ProseLine): boolean {
  return (
    line.text.trim() === '' ||
    (previous !== undefined && line.line !== previous.line + 1) ||
    BLOCK_START.test(line.text) ||
    line.field !== previous?.field ||
    line.html !== previous.html
  );
}

/** A sentence ends at `.`, `!`, `?` or `;` followed by a space or a tab. */
const SENTENCE_END = /[.!?;][ \t]/g;
const LOWER = /[a-z]/;

/** Splits one paragraph (its non-blank lines) into sentences, appended to `sentences`. */
function paragraphSentences(parts: readonly ProseLine[], sentences: ProseSentence[]): void {
  const first = parts[0] as ProseLine;
  let text = '';
  // Offset in `text` where each part starts.
  const starts: number[] = [];
  for (const part of parts) {
    if (text !== '') text += ' ';
    starts.push(text.length);
    text += part.text;
  }
  const field = first.field;
  const label = first.label;
  const html = first.html;
  const lineAtParagraph = (offset: number): number => {
    let line = first.line;
    for (let k = 0; k < starts.length; k++) {
      if ((starts[k] as number) > offset) break;
      line = (parts[k] as ProseLine).line;
    }
    return line;
  };
  let begin = 0;
  const emit = (end: number) => {
    const raw = text.slice(begin, end);
    const trimmed = raw.trim();
    if (/[\p{L}]/u.test(trimmed)) {
      const lead = begin + (raw.length - raw.trimStart().length);
      const clipped = trimmed.slice(0, MAX_SENTENCE_CHARS);
      const normalized = normalizeForTerms(clipped);
      sentences.push({
        text: normalized,
        original: clipped,
        field,
        negated: NEGATION.test(normalized),
        label,
        ...(html ? { html } : {}),
        lineAt: (offset: number) => lineAtParagraph(lead + offset),
      });
    }
    begin = end;
  };
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m !== null; m = SENTENCE_END.exec(text)) {
    const i = m.index;
    // "e.g. the": a full stop followed by a lower-case letter does not end the sentence.
    if (text[i] === '.' && LOWER.test(text.slice(i + 2, i + 3))) continue;
    emit(i + 1);
  }
  emit(text.length);
}

/** The heading of a section as a field name: `§ Intended Use`. */
export function sectionField(title: string): string {
  return `§ ${cleanMarkup(title).replace(/\s+/g, ' ').trim().slice(0, 80)}`;
}

/** What detection reads of a card's lines. */
type ProseInput = Pick<CardAuditContext, 'doc' | 'lines'>;

/** Prose lines of one card, made once: per section body, the preamble, and per topic. */
interface ProseCache {
  readonly sections: (readonly ProseLine[] | undefined)[];
  preamble: readonly ProseLine[] | undefined;
  intro: readonly ProseLine[] | undefined;
  readonly topics: Map<Topic, readonly ProseLine[]>;
  /** `toSentences` of the lists above. */
  readonly sentences: Map<readonly ProseLine[], readonly ProseSentence[]>;
}

const PROSE = new WeakMap<ProseInput, ProseCache>();

function proseCache(ctx: ProseInput): ProseCache {
  let cache = PROSE.get(ctx);
  if (cache === undefined) {
    cache = { sections: [], preamble: undefined, intro: undefined, topics: new Map(), sentences: new Map() };
    PROSE.set(ctx, cache);
  }
  return cache;
}

/**
 * The prose of one section's body on its own (`proseLines` into an empty list). What `proseLines` adds to a
 * list that already holds lines is a prefix of it (see `appendProse`): fences and comments are followed per
 * call, and only the bounds depend on the list.
 */
function sectionProse(
  ctx: ProseInput,
  cache: ProseCache,
  index: number,
  s: CardSection,
): readonly ProseLine[] {
  let lines = cache.sections[index];
  if (lines === undefined) {
    lines = proseLines(ctx.lines, s.bodyStartLine, s.bodyEndLine, sectionField(s.title));
    cache.sections[index] = lines;
  }
  return lines;
}

function preambleProse(ctx: ProseInput, cache: ProseCache): readonly ProseLine[] {
  if (cache.preamble === undefined) {
    const { preamble } = ctx.doc;
    cache.preamble =
      preamble.endLine >= preamble.startLine
        ? proseLines(ctx.lines, preamble.startLine, preamble.endLine, 'preamble')
        : [];
  }
  return cache.preamble;
}

/**
 * Appends lines as `proseLines` would have read them into `out`: while `out` holds fewer than
 * `MAX_PROSE_LINES` lines and `MAX_PROSE_CHARS` characters. `chars` is the length of the text in `out`;
 * returns it updated.
 */
function appendProse(out: ProseLine[], lines: readonly ProseLine[], chars: number): number {
  let total = chars;
  for (const line of lines) {
    if (out.length >= MAX_PROSE_LINES || total >= MAX_PROSE_CHARS) break;
    out.push(line);
    total += line.text.length;
  }
  return total;
}

/** The prose of a topic, made once per card (see `topicProse`). Do not modify the result. */
function topicProseOf(
  ctx: Pick<CardAuditContext, 'doc' | 'lines' | 'topics'>,
  topic: Topic,
): readonly ProseLine[] {
  const cache = proseCache(ctx);
  const cached = cache.topics.get(topic);
  if (cached !== undefined) return cached;
  const out: ProseLine[] = [];
  let chars = 0;
  const sections = ctx.doc.sections;
  const titleTopics = sectionTopics(ctx.doc);
  const seen = new Set<number>();
  for (const index of coverage(ctx.topics, topic).sections.slice(0, MAX_TOPIC_SECTIONS)) {
    const root = sections[index];
    if (root === undefined || seen.has(index)) continue;
    let skipUntil = -1;
    for (let i = index; i < sections.length && out.length < MAX_PROSE_LINES; i++) {
      const s = sections[i];
      if (s === undefined || (i > index && s.headingLine > root.endLine)) break;
      if (s.headingLine <= skipUntil) continue;
      const own = i === index ? [topic] : (titleTopics[i] ?? []);
      if (own.length > 0 && !own.includes(topic)) {
        skipUntil = s.endLine;
        continue;
      }
      seen.add(i);
      chars = appendProse(out, sectionProse(ctx, cache, i, s), chars);
    }
  }
  const lines = out.slice(0, MAX_PROSE_LINES);
  cache.topics.set(topic, lines);
  return lines;
}

/**
 * The lines of the sections that cover a topic: each section named for it, with its subsections except those
 * named for another topic (an "Out-of-Scope Use" subsection is not intended use). Bounded by
 * `MAX_PROSE_LINES` per call.
 */
export function topicProse(
  ctx: Pick<CardAuditContext, 'doc' | 'lines' | 'topics'>,
  topic: Topic,
): ProseLine[] {
  return topicProseOf(ctx, topic).slice();
}

/** The card's opening, made once per card (see `introProse`). Do not modify the result. */
export function introProseOf(ctx: ProseInput): readonly ProseLine[] {
  const cache = proseCache(ctx);
  if (cache.intro !== undefined) return cache.intro;
  const out: ProseLine[] = [];
  let chars = appendProse(out, preambleProse(ctx, cache), 0);
  const titleTopics = sectionTopics(ctx.doc);
  ctx.doc.sections.every((s, i) => {
    if ((titleTopics[i] ?? []).length > 0 || out.length >= MAX_PROSE_LINES) return false;
    chars = appendProse(out, sectionProse(ctx, cache, i, s), chars);
    return true;
  });
  cache.intro = out.slice(0, MAX_PROSE_LINES);
  return cache.intro;
}

/**
 * The card's opening: the preamble and the bodies of the sections before the first one named for a topic
 * (the "# Model Card for X" section whose text is the summary).
 */
export function introProse(ctx: ProseInput): ProseLine[] {
  return introProseOf(ctx).slice();
}

/**
 * `toSentences` of lists of prose lines one after the other, each list split once per card. Where a list
 * would not start a paragraph of its own after the one before it, the lists are split together.
 */
export function sentencesOfLists(ctx: ProseInput, lists: readonly (readonly ProseLine[])[]): ProseSentence[] {
  const cache = proseCache(ctx);
  const out: ProseSentence[] = [];
  let previous: ProseLine | undefined;
  for (const list of lists) {
    const first = list[0];
    if (first === undefined) continue;
    if (previous !== undefined && !startsParagraph(previous, first)) return toSentences(lists.flat());
    let sentences = cache.sentences.get(list);
    if (sentences === undefined) {
      sentences = toSentences(list);
      cache.sentences.set(list, sentences);
    }
    for (const sentence of sentences) out.push(sentence);
    previous = list[list.length - 1];
  }
  return out;
}

/**
 * The sentences of the prose of some topics, after the card's opening when `intro` (what `toSentences`
 * makes of `introProse` and `topicProse` one after the other).
 */
export function topicSentences(
  ctx: Pick<CardAuditContext, 'doc' | 'lines' | 'topics'>,
  topics: readonly Topic[],
  intro: boolean,
): ProseSentence[] {
  const lists = topics.map((topic) => topicProseOf(ctx, topic));
  return sentencesOfLists(ctx, intro ? [introProseOf(ctx), ...lists] : lists);
}

/** The prose of every section body on its own, in order, made once per card. Do not modify the result. */
export function allSectionProse(ctx: ProseInput): readonly (readonly ProseLine[])[] {
  const cache = proseCache(ctx);
  return ctx.doc.sections.map((s, i) => sectionProse(ctx, cache, i, s));
}

/** The card's title: its first level-1 heading, else its first heading. */
export function cardTitle(
  doc: CardAuditContext['doc'],
): { readonly text: string; readonly line: number } | undefined {
  const first = doc.sections.find((s) => s.level === 1) ?? doc.sections[0];
  return first === undefined ? undefined : { text: first.title, line: first.headingLine };
}

/** A metadata string with where it is. */
export interface MetadataString {
  readonly key: string;
  readonly value: string;
  /** `tags`, `tags[2]`, `model-index[0].name`. */
  readonly field: string;
  /** JSON Pointer for `lineOf`. */
  readonly pointer: string;
}

/**
 * The strings of a metadata field: the value itself when it is a string, the string items when it is a list;
 * anything else (numbers, mappings, YAML booleans) is skipped. Bounded by `MAX_METADATA_VALUES` and
 * `MAX_METADATA_CHARS`; never throws.
 */
export function metadataStrings(meta: Readonly<Record<string, unknown>>, key: string): MetadataString[] {
  const value = Object.hasOwn(meta, key) ? meta[key] : undefined;
  const clip = (s: string) => s.slice(0, MAX_METADATA_CHARS);
  if (typeof value === 'string') return [{ key, value: clip(value), field: key, pointer: key }];
  if (!Array.isArray(value)) return [];
  const out: MetadataString[] = [];
  for (let i = 0; i < value.length && i < MAX_METADATA_VALUES; i++) {
    const item = value[i];
    if (typeof item === 'string')
      out.push({ key, value: clip(item), field: `${key}[${i}]`, pointer: `/${key}/${i}` });
  }
  return out;
}

/** `model-index[*].name`, the model's own name in its results block. */
function modelIndexNames(meta: Readonly<Record<string, unknown>>): MetadataString[] {
  const index = Object.hasOwn(meta, 'model-index') ? meta['model-index'] : undefined;
  if (!Array.isArray(index)) return [];
  const out: MetadataString[] = [];
  for (let i = 0; i < index.length && i < MAX_METADATA_VALUES; i++) {
    const entry = index[i];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const name = (entry as Record<string, unknown>).name;
    if (typeof name === 'string')
      out.push({
        key: 'model-index',
        value: name.slice(0, MAX_METADATA_CHARS),
        field: `model-index[${i}].name`,
        pointer: `/model-index/${i}/name`,
      });
  }
  return out;
}

/** Quotes matched text for evidence. */
export function quote(text: string): string {
  const clipped = text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
  return JSON.stringify(clipped);
}

// ---------------------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------------------

/** Where a signal was found: classifying metadata, the card's or model's name, or its prose. */
export type SignalSource = 'metadata' | 'name' | 'prose';

export interface DomainSignal {
  readonly domain: HighRiskDomain;
  /** The term's id ("medical condition"). */
  readonly term: string;
  /** The text matched, as written ("diabetes"). */
  readonly matched: string;
  readonly strength: TermStrength;
  readonly source: SignalSource;
  /** `tags[1]`, `title`, `§ Direct Use`. */
  readonly field: string;
  readonly line: number | undefined;
}

export type DomainConfidence = 'high' | 'medium' | 'low';

export interface DomainAssessment {
  readonly domain: HighRiskDomain;
  readonly label: string;
  readonly basis: string;
  readonly confidence: DomainConfidence;
  /** Evidence, strongest first (one per term, at most `MAX_SIGNALS_PER_DOMAIN`). */
  readonly signals: readonly DomainSignal[];
}

const CONFIDENCE_RANK: Readonly<Record<DomainConfidence, number>> = { low: 0, medium: 1, high: 2 };
const SOURCE_RANK: Readonly<Record<SignalSource, number>> = { metadata: 0, name: 1, prose: 2 };

/** What detection reads: any card audit context satisfies it. */
export type DomainInput = Pick<CardAuditContext, 'doc' | 'kind' | 'lines' | 'meta' | 'topics' | 'lineOf'>;

export interface DomainOptions {
  /** Lowest confidence returned; `medium` by default (low-confidence domains are not claims). */
  readonly minConfidence?: DomainConfidence;
}

/** The text a match covers in the original string (the normalised one when NFKC changed the length). */
function matchedText(original: string, normalized: string, m: RegExpExecArray): string {
  return original.length === normalized.length ? original.slice(m.index, m.index + m[0].length) : m[0];
}

/** The top-level alternatives of a pattern's source (`a|b(c|d)` → `a`, `b(c|d)`). */
function alternativesOf(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      current += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current);
  return out;
}

/**
 * One pattern matching wherever any of the given patterns matches (an alternation of them), to skip a text
 * none of them is in without trying them one by one (most sentences name no domain). A leading `\b` shared
 * by every alternative is tested once for all (`\bx|\by` is `\b(?:x|y)`), which rejects the middle of words
 * at once. Undefined when the patterns cannot be joined without changing what they match (flags,
 * back-references, named groups).
 */
export function anyOf(patterns: readonly RegExp[]): RegExp | undefined {
  if (patterns.some((p) => p.flags !== '' || /\\(?:[1-9]|k<)|\(\?<[A-Za-z_$]/.test(p.source)))
    return undefined;
  const alternatives = patterns.flatMap((p) => alternativesOf(p.source));
  if (alternatives.every((a) => a.startsWith('\\b')))
    return new RegExp(`\\b(?:${alternatives.map((a) => a.slice(2)).join('|')})`);
  return new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'));
}

const DOMAIN_PREFILTERS: readonly (readonly [HighRiskDomain, readonly DomainTerm[], RegExp | undefined])[] = (
  Object.entries(DOMAIN_TERMS) as [HighRiskDomain, readonly DomainTerm[]][]
).map(([domain, terms]) => [domain, terms, anyOf(terms.map((t) => t.pattern))]);
const ANY_TERM = anyOf(
  Object.values(DOMAIN_TERMS)
    .flat()
    .map((t) => t.pattern),
);

/** First match of a term in a text, unless the text just before it negates the term. */
function matchTerm(term: DomainTerm, text: string): RegExpExecArray | undefined {
  const m = term.pattern.exec(text);
  if (!m) return undefined;
  if (term.notAfter?.test(text.slice(Math.max(0, m.index - 24), m.index))) return undefined;
  return m;
}

/**
 * Confidence from the distinct terms found: a strong term in the metadata or name, two strong terms, or a
 * strong term with two weak ones is high; one strong term in prose, or three weak terms, is medium.
 */
function confidenceOf(signals: readonly DomainSignal[]): DomainConfidence {
  const strongTerms = new Set<string>();
  const weakTerms = new Set<string>();
  let anchored = false;
  for (const s of signals) {
    if (s.strength === 'strong') {
      strongTerms.add(s.term);
      if (s.source !== 'prose') anchored = true;
    } else weakTerms.add(s.term);
  }
  if (anchored || strongTerms.size >= 2 || (strongTerms.size === 1 && weakTerms.size >= 2)) return 'high';
  if (strongTerms.size === 1 || weakTerms.size >= 3) return 'medium';
  return 'low';
}

/**
 * Labels of paragraphs about what a model must not do or does badly ("**Out-of-scope use cases:**" inside an
 * "Intended use" section): their terms describe risks, not the domain.
 */
export const CAVEAT_LABEL =
  /\b(?:out of scope|misuse|malicious|limitations?|risks?|bias(?:es)?|harms?|ethical|caveats?|not intended|prohibited)\b/;

/** The prose of the card that says what the model or dataset is and is for. */
function describingProse(input: DomainInput): ProseSentence[] {
  const topics: readonly Topic[] =
    input.kind === 'dataset'
      ? ['dataset-summary', 'motivation', 'uses']
      : ['model-description', 'intended-use'];
  return topicSentences(input, topics, true).filter(
    (s) => s.label === undefined || !CAVEAT_LABEL.test(s.label),
  );
}

/** Metadata fields that classify the card or name it, read for domain terms. */
const CLASSIFYING_KEYS = ['tags', 'pipeline_tag', 'task_categories', 'task_ids', 'datasets'] as const;
const NAME_KEYS = ['model_name', 'pretty_name'] as const;

/**
 * Finds the high-risk domains of a card, with evidence: terms in the classifying metadata (`tags`,
 * `pipeline_tag`, `task_categories`, `task_ids`, `datasets`), in its names (`model_name`, `pretty_name`,
 * `model-index[].name`, the title) and in the prose that describes it (preamble, summary or description,
 * intended use; a dataset's motivation and supported tasks). Returns the domains at `minConfidence` or
 * above, most confident first. Never throws on odd metadata.
 */
export function detectHighRiskDomains(input: DomainInput, options: DomainOptions = {}): DomainAssessment[] {
  const minRank = CONFIDENCE_RANK[options.minConfidence ?? 'medium'];
  const found = new Map<HighRiskDomain, DomainSignal[]>();
  const add = (signal: DomainSignal) => {
    const list = found.get(signal.domain) ?? [];
    list.push(signal);
    found.set(signal.domain, list);
  };
  const lineFor = (entry: MetadataString) => input.lineOf(entry.pointer) ?? input.lineOf(entry.key);

  /** Every term in one text; a weak term inside a strong match ("hate" in "hate speech") adds nothing. */
  const scan = (
    original: string,
    normalized: string,
    source: SignalSource,
    field: string,
    lineAt: (offset: number) => number | undefined,
    weakOnly = false,
  ) => {
    if (ANY_TERM !== undefined && !ANY_TERM.test(normalized)) return;
    for (const [domain, terms, any] of DOMAIN_PREFILTERS) {
      if (any !== undefined && !any.test(normalized)) continue;
      const spans: [number, number][] = [];
      for (const strength of ['strong', 'weak'] as const) {
        if (weakOnly && strength === 'strong') continue;
        for (const term of terms) {
          if (term.strength !== strength) continue;
          const m = matchTerm(term, normalized);
          if (!m) continue;
          const end = m.index + m[0].length;
          if (strength === 'weak' && spans.some(([a, b]) => m.index < b && end > a)) continue;
          if (strength === 'strong') spans.push([m.index, end]);
          add({
            domain,
            term: term.id,
            matched: matchedText(original, normalized, m),
            strength,
            source,
            field,
            line: lineAt(m.index),
          });
        }
      }
    }
  };
  const scanValue = (text: string, source: SignalSource, field: string, line: number | undefined) =>
    scan(text, normalizeForTerms(text), source, field, () => line);

  for (const key of CLASSIFYING_KEYS) {
    for (const entry of metadataStrings(input.meta, key))
      scanValue(entry.value, 'metadata', entry.field, lineFor(entry));
  }
  for (const entry of [
    ...NAME_KEYS.flatMap((k) => metadataStrings(input.meta, k)),
    ...modelIndexNames(input.meta),
  ])
    scanValue(entry.value, 'name', entry.field, lineFor(entry));
  const title = cardTitle(input.doc);
  if (title !== undefined) scanValue(cleanMarkup(title.text), 'name', 'title', title.line);

  for (const sentence of describingProse(input)) {
    // An HTML block is layout (a display name, a badge): its strong terms are not claims.
    if (!sentence.negated)
      scan(
        sentence.original,
        sentence.text,
        'prose',
        sentence.field,
        sentence.lineAt,
        sentence.html === true,
      );
  }

  const assessments: DomainAssessment[] = [];
  for (const [domain, signals] of found) {
    const confidence = confidenceOf(signals);
    if (CONFIDENCE_RANK[confidence] < minRank) continue;
    // One signal per term, the best placed: strong before weak, metadata before name before prose.
    const best = new Map<string, DomainSignal>();
    for (const s of signals) {
      const current = best.get(s.term);
      if (current === undefined || SOURCE_RANK[s.source] < SOURCE_RANK[current.source]) best.set(s.term, s);
    }
    const ordered = [...best.values()].sort(
      (a, b) =>
        (a.strength === b.strength ? 0 : a.strength === 'strong' ? -1 : 1) ||
        SOURCE_RANK[a.source] - SOURCE_RANK[b.source] ||
        (a.line ?? 0) - (b.line ?? 0),
    );
    const info = HIGH_RISK_DOMAINS[domain];
    assessments.push({
      domain,
      label: info.label,
      basis: info.basis,
      confidence,
      signals: ordered.slice(0, MAX_SIGNALS_PER_DOMAIN),
    });
  }
  const order = Object.keys(HIGH_RISK_DOMAINS);
  return assessments.sort(
    (a, b) =>
      CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence] ||
      order.indexOf(a.domain) - order.indexOf(b.domain),
  );
}

/** One line of evidence for a signal: `"diabetes" in title (line 4)`. */
export function describeSignal(signal: DomainSignal): string {
  const where = signal.source === 'metadata' ? `metadata \`${signal.field}\`` : signal.field;
  return `${quote(signal.matched)} in ${where}${signal.line !== undefined ? ` (line ${signal.line})` : ''}`;
}
