import { compareStrings } from '../../core/finding.js';
import { deriveLibraryName, derivePipelineTag, deriveTags } from './architectures.js';
import type { FolderFacts, LmEvalFacts, MetricFact, SerialisedFile } from './facts.js';
import { code, exact, grouped, joinWords, plural, shortCount, size } from './markdown.js';
import { describeFormat, isPickleFormat } from './serialised.js';
import { CardWriter, escapeInline } from './writer.js';
import { type YamlEntry, type YamlMap, yamlMap } from './yaml.js';

/**
 * The model card skeleton: the Hugging Face model card template's sections (huggingface_hub
 * `templates/modelcard_template.md`, after Mitchell et al. 2019), each holding what the folder's files state,
 * with the file named, and a TODO for what only a person can say. The front matter holds only derived keys.
 */

/** The YAML comment that stands where `license:` would be: a licence is a decision, never derived. */
export const LICENSE_TODO = 'TODO: choose a licence (https://huggingface.co/docs/hub/repositories-licenses)';

export interface RenderOptions {
  /** The name in the title and in `model-index` (the folder's name unless given). */
  readonly name: string;
  /** Rows of one table; the rest are counted. */
  readonly maxListedRows: number;
}

/** Front matter of a model card: only keys a file in the folder decides. */
export function modelFrontMatter(facts: FolderFacts, name: string): YamlMap {
  const library = deriveLibraryName(facts);
  const pipeline = derivePipelineTag(facts);
  const adapter = facts.adapter;
  const datasets = [...new Set(facts.datasetMentions.flatMap((m) => m.datasets))].sort(compareStrings);
  const tags = deriveTags(facts);
  const modelIndex = pipeline !== undefined ? modelIndexResults(facts.lmEval, pipeline.value) : [];
  const entries: (YamlEntry | undefined)[] = [
    library !== undefined ? { key: 'library_name', value: library.value } : undefined,
    pipeline !== undefined ? { key: 'pipeline_tag', value: pipeline.value } : undefined,
    adapter?.baseModel !== undefined && adapter.baseModelIsHubId
      ? { key: 'base_model', value: adapter.baseModel }
      : undefined,
    datasets.length > 0 ? { key: 'datasets', value: datasets } : undefined,
    tags.length > 0 ? { key: 'tags', value: tags } : undefined,
    modelIndex.length > 0
      ? {
          key: 'model-index',
          value: [
            yamlMap([
              { key: 'name', value: name },
              { key: 'results', value: modelIndex },
            ]),
          ],
        }
      : undefined,
  ];
  return yamlMap(entries);
}

/**
 * `model-index` results from lm-evaluation-harness files: one per task whose config names its dataset, with
 * the exact values and a comment naming the file and key. The task type is the derived `pipeline_tag`; Trainer
 * results name no dataset, so they stay in the body.
 */
function modelIndexResults(files: readonly LmEvalFacts[], taskType: string): YamlMap[] {
  const results: YamlMap[] = [];
  for (const file of files) {
    for (const task of file.tasks) {
      if (task.datasetPath === undefined) continue;
      const dataset = yamlMap([
        { key: 'type', value: task.datasetPath },
        { key: 'name', value: task.task },
        task.datasetConfig !== undefined ? { key: 'config', value: task.datasetConfig } : undefined,
        task.split !== undefined ? { key: 'split', value: task.split } : undefined,
        task.fewShot !== undefined
          ? { key: 'args', value: yamlMap([{ key: 'num_few_shot', value: task.fewShot }]) }
          : undefined,
      ]);
      const metrics = task.metrics.map((m) =>
        yamlMap([
          { key: 'type', value: m.metric },
          { key: 'value', value: m.value, comment: `${file.file}: results.${task.task}["${m.key}"]` },
          { key: 'name', value: m.key },
        ]),
      );
      results.push(
        yamlMap([
          { key: 'task', value: yamlMap([{ key: 'type', value: taskType }]) },
          { key: 'dataset', value: dataset },
          { key: 'metrics', value: metrics },
        ]),
      );
    }
  }
  return results;
}

function parameters(value: bigint | undefined): string {
  if (value === undefined) return '—';
  return value >= 1000n ? `${grouped(value)} (${shortCount(value)})` : grouped(value);
}

function tensorTypes(file: SerialisedFile): string {
  if (file.tensorTypes === undefined) return '—';
  return file.tensorTypes.map(([t, n]) => `${t} ×${grouped(n)}`).join(', ');
}

/** `a`, `b` and `c` as code spans, at most `max` of them and a count of the rest. */
function codeList(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).map(code);
  if (items.length > max) shown.push(`${grouped(items.length - max)} more`);
  return joinWords(shown);
}

function licenseHints(facts: FolderFacts): string {
  const hints: string[] = [];
  if (facts.licenseFiles.length > 0) hints.push(`the folder has ${codeList(facts.licenseFiles, 5)}`);
  for (const f of facts.serialised) {
    if (f.gguf?.license !== undefined)
      hints.push(`the GGUF metadata of ${code(f.path)} says ${code(f.gguf.license)}`);
  }
  return hints.length > 0 ? ` (${hints.join('; ')})` : '';
}

function modelType(facts: FolderFacts): string {
  const parts: string[] = [];
  const config = facts.config;
  if (config !== undefined && config.architectures.length > 0)
    parts.push(
      `${codeList(config.architectures)} (${code(config.file)} \`architectures\`${config.modelType !== undefined ? `, model_type ${code(config.modelType)}` : ''})`,
    );
  else if (config?.modelType !== undefined)
    parts.push(`model_type ${code(config.modelType)} (${code(config.file)})`);
  const adapter = facts.adapter;
  if (adapter?.peftType !== undefined)
    parts.push(`a PEFT ${code(adapter.peftType)} adapter (${code(adapter.file)} \`peft_type\`)`);
  if (parts.length === 0) {
    const gguf = facts.serialised.find((f) => f.gguf?.architecture !== undefined);
    if (gguf?.gguf?.architecture !== undefined)
      parts.push(`${code(gguf.gguf.architecture)} (\`general.architecture\` in ${code(gguf.path)})`);
  }
  if (parts.length === 0) return 'TODO: the kind of model (architecture, what it was trained to do)';
  const pipeline = derivePipelineTag(facts);
  const tag = pipeline !== undefined ? `; \`pipeline_tag: ${pipeline.value}\` from ${pipeline.source}` : '';
  return `${parts.join(', ')}${tag}`;
}

function baseModelItem(facts: FolderFacts): string {
  const adapter = facts.adapter;
  if (adapter?.baseModel === undefined)
    return "TODO: the base model's Hub id, if it was fine-tuned from one (it also goes in `base_model:`)";
  if (adapter.baseModelIsHubId)
    return `${code(adapter.baseModel)} (${code(adapter.file)} \`base_model_name_or_path\`; also in \`base_model:\`)`;
  return `TODO: ${code(adapter.file)} names the base model by the local path ${code(adapter.baseModel)}; give its Hub id here and in \`base_model:\``;
}

function writeModelDetails(w: CardWriter, facts: FolderFacts): void {
  w.heading(2, 'Model Details');
  w.heading(3, 'Model Description');
  w.todo('describe the model: what it is, what it does and what it was trained for.');
  w.list([
    '**Developed by:** TODO: the people or organisation who developed the model',
    `**Model type:** ${modelType(facts)}`,
    '**Language(s) (NLP):** TODO: the languages it handles (their ISO 639-1 codes also go in `language:`)',
    `**License:** TODO: choose a licence and set \`license:\` in the metadata${licenseHints(facts)}`,
    `**Finetuned from model:** ${baseModelItem(facts)}`,
    '**Repository:** TODO: a link to the code',
    '**Paper:** TODO: a link to the paper or blog post, if there is one',
  ]);
  const config = facts.config;
  if (config?.nameOrPath !== undefined)
    w.fact(
      config.file,
      `the config names ${code(config.nameOrPath)} (\`_name_or_path\`: where the model was loaded from when it was saved, not necessarily its base model).`,
    );
  for (const f of facts.serialised) {
    if (f.gguf?.name !== undefined)
      w.fact(f.path, `the GGUF metadata names the model ${code(f.gguf.name)} (\`general.name\`).`);
  }
  w.notes(facts.notes, ['model']);
}

function writeUses(w: CardWriter): void {
  w.heading(2, 'Uses');
  w.heading(3, 'Direct Use');
  w.todo('the uses the model is intended for without further fine-tuning, and who the intended users are.');
  w.heading(3, 'Out-of-Scope Use');
  w.todo('uses the model is not suited for or must not be put to, including foreseeable misuse.');
}

function writeRisks(w: CardWriter): void {
  w.heading(2, 'Bias, Risks, and Limitations');
  w.todo('the known technical and sociotechnical limitations, biases and risks of the model.');
  w.heading(3, 'Recommendations');
  w.todo('what users should do about the risks and limitations above.');
}

function settingText([key, value]: readonly [string, string | number | boolean]): string {
  return `${key} ${typeof value === 'number' ? exact(value) : String(value)}`;
}

function writeGetStarted(w: CardWriter, facts: FolderFacts): void {
  w.heading(2, 'How to Get Started with the Model');
  w.todo('a short code example that loads the model and runs it.');
  const tokenizer = facts.tokenizer;
  if (tokenizer?.file !== undefined) {
    const parts: string[] = [];
    if (tokenizer.tokenizerClass !== undefined)
      parts.push(`tokenizer class ${code(tokenizer.tokenizerClass)}`);
    if (tokenizer.modelMaxLength !== undefined)
      parts.push(`model_max_length ${grouped(tokenizer.modelMaxLength)}`);
    if (parts.length > 0) w.fact(tokenizer.file, `${parts.join(', ')}.`);
  }
  if (tokenizer !== undefined && tokenizer.chatTemplateFiles.length > 0)
    w.paragraph(
      `A chat template is included (${codeList(tokenizer.chatTemplateFiles)}): format conversations with \`tokenizer.apply_chat_template\`.`,
    );
  const generation = facts.generation;
  if (generation !== undefined && generation.settings.length > 0)
    w.fact(generation.file, `generation defaults ${generation.settings.map(settingText).join(', ')}.`);
  const config = facts.config;
  if (config !== undefined && config.autoMap.length > 0)
    w.fact(
      config.file,
      `\`auto_map\` points ${joinWords(config.autoMap.map(([k, v]) => `${code(k)} to ${code(v)}`))}: loading runs Python code from the repository (\`trust_remote_code=True\`), so review that code first.`,
    );
  const pickles = facts.serialised.filter((f) => isPickleFormat(f.format)).map((f) => f.path);
  if (pickles.length > 0)
    w.paragraph(
      `${codeList(pickles)} ${pickles.length === 1 ? 'is' : 'are'} pickle-based: \`torch.load\` can run code from ${pickles.length === 1 ? 'it' : 'them'}. Check with \`pedigree scan\` before loading${facts.serialised.some((f) => f.format === 'safetensors') ? ', or load the safetensors files instead' : ''}.`,
    );
}

function writeTraining(w: CardWriter, facts: FolderFacts, options: RenderOptions): void {
  w.heading(2, 'Training Details');
  w.heading(3, 'Training Data');
  for (const mention of facts.datasetMentions)
    w.fact(mention.file, `the \`datasets\` metadata names ${codeList(mention.datasets)}.`);
  for (const card of facts.datasetCards)
    w.paragraph(
      `The folder holds a dataset card: ${code(card.file)}${card.prettyName !== undefined ? ` (pretty_name ${code(card.prettyName)})` : ''}.`,
    );
  if (facts.dataFiles.length > 0)
    w.paragraph(
      `The folder holds data files: ${codeList(
        facts.dataFiles.map((d) => d.path),
        options.maxListedRows,
      )}.`,
    );
  w.todo(
    'the datasets the model was trained or fine-tuned on, with links to their dataset cards (Hub ids also go in `datasets:`).',
  );
  w.notes(facts.notes, ['data', 'training']);

  w.heading(3, 'Training Procedure');
  const adapter = facts.adapter;
  if (adapter !== undefined) {
    const parts: string[] = [];
    if (adapter.peftType !== undefined) parts.push(`PEFT type ${code(adapter.peftType)}`);
    if (adapter.taskType !== undefined) parts.push(`task type ${code(adapter.taskType)}`);
    if (adapter.r !== undefined) parts.push(`r ${grouped(adapter.r)}`);
    if (adapter.loraAlpha !== undefined) parts.push(`lora_alpha ${exact(adapter.loraAlpha)}`);
    if (adapter.loraDropout !== undefined) parts.push(`lora_dropout ${exact(adapter.loraDropout)}`);
    if (adapter.targetModules.length > 0) parts.push(`target modules ${codeList(adapter.targetModules, 20)}`);
    if (parts.length > 0) w.fact(adapter.file, `${parts.join(', ')}.`);
  }
  const state = facts.trainerState;
  if (state !== undefined) {
    const parts: string[] = [];
    if (state.numTrainEpochs !== undefined) parts.push(`num_train_epochs ${grouped(state.numTrainEpochs)}`);
    if (state.epoch !== undefined) parts.push(`epoch ${exact(state.epoch)}`);
    if (state.globalStep !== undefined) parts.push(`global_step ${grouped(state.globalStep)}`);
    if (state.maxSteps !== undefined) parts.push(`max_steps ${grouped(state.maxSteps)}`);
    if (state.trainBatchSize !== undefined) parts.push(`train_batch_size ${grouped(state.trainBatchSize)}`);
    if (state.totalFlos !== undefined) parts.push(`total_flos ${exact(state.totalFlos)}`);
    if (state.bestMetric !== undefined)
      parts.push(
        `best_metric ${exact(state.bestMetric)}${state.bestMetricKeys.length > 0 ? ` (equal to ${codeList(state.bestMetricKeys)} logged at that step)` : ''}${state.bestCheckpoint !== undefined ? ` at ${code(state.bestCheckpoint)}` : ''}`,
      );
    if (parts.length > 0) w.fact(state.file, `${parts.join(', ')}.`);
  }
  for (const [file, stats] of byFile(facts.runStats.filter(isTrainingStatistic)))
    w.fact(file, `${stats.map((m) => `${m.key} ${exact(m.value)}`).join(', ')}.`);
  w.todo(
    'the preprocessing, the hyperparameters (learning rate and schedule, batch size, epochs, optimiser), the training regime (e.g. bf16 mixed precision), and the training time.',
  );
}

/** Run statistics about training (the rest, runtime and throughput of evaluation, go with the results). */
function isTrainingStatistic(m: MetricFact): boolean {
  return m.key === 'epoch' || m.key === 'total_flos' || m.key.startsWith('train_');
}

function byFile(metrics: readonly MetricFact[]): [string, MetricFact[]][] {
  const groups = new Map<string, MetricFact[]>();
  for (const m of metrics) {
    const list = groups.get(m.file) ?? [];
    list.push(m);
    groups.set(m.file, list);
  }
  return [...groups];
}

function writeEvaluation(w: CardWriter, facts: FolderFacts, options: RenderOptions): void {
  w.heading(2, 'Evaluation');
  w.heading(3, 'Testing Data');
  for (const file of facts.lmEval) {
    const named = file.tasks.filter((t) => t.datasetPath !== undefined);
    if (named.length === 0) continue;
    w.fact(file.file, 'lm-evaluation-harness task configurations name these datasets:');
    w.list(
      named.slice(0, options.maxListedRows).map((t) => {
        const details = [
          t.datasetConfig !== undefined ? `config ${code(t.datasetConfig)}` : undefined,
          t.split !== undefined ? `split ${code(t.split)}` : undefined,
        ].filter((d) => d !== undefined);
        return `${code(t.task)}: ${code(t.datasetPath as string)}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
      }),
    );
  }
  w.todo('the data the model was evaluated on, with links to dataset cards.');

  w.heading(3, 'Factors');
  w.todo('the factors the evaluation is broken down by (subpopulations, domains), if any.');

  w.heading(3, 'Metrics');
  for (const [file, metrics] of byFile(facts.metrics))
    w.fact(
      file,
      `reports ${codeList(
        metrics.map((m) => m.key),
        30,
      )}.`,
    );
  for (const file of facts.lmEval) {
    const names = [...new Set(file.tasks.flatMap((t) => t.metrics.map((m) => m.metric)))].sort(
      compareStrings,
    );
    w.fact(file.file, `reports ${codeList(names, 30)}.`);
  }
  w.todo('the metrics used and why they suit the task.');

  w.heading(3, 'Results');
  w.table(
    ['Metric', 'Value', 'File'],
    facts.metrics.slice(0, options.maxListedRows).map((m) => [code(m.key), exact(m.value), code(m.file)]),
  );
  moreRows(w, facts.metrics.length, options.maxListedRows, 'metrics');
  for (const [file, stats] of byFile(facts.runStats.filter((m) => !isTrainingStatistic(m))))
    w.fact(file, `run statistics ${stats.map((m) => `${m.key} ${exact(m.value)}`).join(', ')}.`);
  for (const m of facts.nonFinite)
    w.fact(
      m.file,
      `${code(m.key)} is ${exact(m.value)} (not a number; left out of the table and the metadata).`,
    );
  const lmRows = facts.lmEval.flatMap((f) =>
    f.tasks.flatMap((t) =>
      t.metrics.map((m) => [
        code(t.task),
        code(m.key),
        exact(m.value),
        m.stderr !== undefined ? exact(m.stderr) : '—',
        t.fewShot !== undefined ? grouped(t.fewShot) : '—',
        code(f.file),
      ]),
    ),
  );
  w.table(['Task', 'Metric', 'Value', 'Stderr', 'Few-shot', 'File'], lmRows.slice(0, options.maxListedRows));
  moreRows(w, lmRows.length, options.maxListedRows, 'results');
  const pipeline = derivePipelineTag(facts);
  const tasks = facts.lmEval.flatMap((f) => f.tasks);
  const indexed = pipeline !== undefined && tasks.some((t) => t.datasetPath !== undefined);
  if (indexed)
    w.paragraph(
      `The lm-evaluation-harness results whose dataset the task configuration names are also in the \`model-index\` metadata, with task type \`${pipeline.value}\` (the \`pipeline_tag\`).`,
    );
  const unindexed =
    facts.metrics.length > 0 || tasks.some((t) => pipeline === undefined || t.datasetPath === undefined);
  if (unindexed)
    w.todo(
      `${indexed ? 'the other results are' : 'these results are'} not in the \`model-index\` metadata: each entry there needs the task type and the evaluation dataset, which ${pipeline === undefined ? 'the folder does not state' : 'their files do not state'}. Add them once known.`,
    );
  w.todo('summarise the results and what they mean for the intended uses.');
  w.notes(facts.notes, ['evaluation']);
}

function moreRows(w: CardWriter, total: number, shown: number, what: string): void {
  if (total > shown) w.paragraph(`${grouped(total - shown)} more ${what} are not listed here.`);
}

function writeEnvironment(w: CardWriter): void {
  w.heading(2, 'Environmental Impact');
  w.list([
    '**Hardware Type:** TODO: the hardware the model was trained on',
    '**Hours used:** TODO: the training time in hours',
    '**Cloud Provider:** TODO: the cloud provider, if any',
    '**Compute Region:** TODO: the region of the compute',
    '**Carbon Emitted:** TODO: the emissions, e.g. estimated with the Machine Learning Impact calculator (https://mlco2.github.io/impact#compute)',
  ]);
}

function writeTechnical(w: CardWriter, facts: FolderFacts, options: RenderOptions): void {
  w.heading(2, 'Technical Specifications');
  const files = facts.serialised;
  if (files.length > 0) {
    w.paragraph(
      `Files with weights or other serialised objects (format by content, parameters summed from tensor shapes in the file headers${facts.hashingDisabled ? '' : ', SHA-256 of the whole file'}):`,
    );
    w.table(
      ['File', 'Format', 'Size', 'Parameters', 'Tensor types', 'SHA-256'],
      files
        .slice(0, options.maxListedRows)
        .map((f) => [
          code(f.path),
          describeFormat(f.format),
          size(f.size),
          parameters(f.parameters),
          tensorTypes(f),
          f.sha256 !== undefined ? code(f.sha256) : facts.hashingDisabled ? 'not computed' : '—',
        ]),
    );
    moreRows(w, files.length, options.maxListedRows, 'files');
  } else {
    w.todo('no weight files were found in the folder; say where the weights are published.');
  }
  for (const index of facts.shardIndexes) {
    const parts = [`${plural(index.shards.length, 'shard')} (${codeList(index.shards)})`];
    if (index.totalSize !== undefined) parts.push(`total_size ${size(index.totalSize)}`);
    if (index.parameters !== undefined)
      parts.push(`${parameters(index.parameters)} parameters in the shards' headers`);
    w.fact(index.path, `${parts.join(', ')}.`);
    if (index.missing.length > 0)
      w.todo(
        `${code(index.path)} names ${plural(index.missing.length, 'shard')} not in the folder: ${codeList(index.missing)}.`,
      );
  }
  const quantization = facts.config?.quantization;
  if (quantization !== undefined && files.some((f) => f.parameters !== undefined))
    w.fact(
      facts.config?.file as string,
      `\`quantization_config\` uses ${code(quantization)}: packed tensors make the element counts above differ from the number of parameters.`,
    );
  w.notes(facts.notes, ['files']);

  w.heading(3, 'Model Architecture and Objective');
  const config = facts.config;
  if (config !== undefined) {
    const parts: string[] = [];
    if (config.architectures.length > 0) parts.push(codeList(config.architectures));
    if (config.modelType !== undefined) parts.push(`model_type ${code(config.modelType)}`);
    if (config.layers !== undefined) parts.push(`${grouped(config.layers)} layers`);
    if (config.hiddenSize !== undefined) parts.push(`hidden size ${grouped(config.hiddenSize)}`);
    if (config.attentionHeads !== undefined) parts.push(`${grouped(config.attentionHeads)} attention heads`);
    if (config.keyValueHeads !== undefined) parts.push(`${grouped(config.keyValueHeads)} key-value heads`);
    if (config.intermediateSize !== undefined)
      parts.push(`intermediate size ${grouped(config.intermediateSize)}`);
    if (config.vocabSize !== undefined) parts.push(`vocabulary of ${grouped(config.vocabSize)} tokens`);
    if (config.maxPositions !== undefined) parts.push(`${grouped(config.maxPositions)} positions`);
    if (config.dtype !== undefined) parts.push(`dtype ${code(config.dtype)}`);
    if (parts.length > 0) w.fact(config.file, `${parts.join(', ')}.`);
  }
  for (const f of files) {
    const g = f.gguf;
    if (g === undefined) continue;
    const parts: string[] = [];
    if (g.architecture !== undefined) parts.push(`architecture ${code(g.architecture)}`);
    if (g.blockCount !== undefined) parts.push(`${grouped(g.blockCount)} blocks`);
    if (g.embeddingLength !== undefined) parts.push(`embedding length ${grouped(g.embeddingLength)}`);
    if (g.headCount !== undefined) parts.push(`${grouped(g.headCount)} attention heads`);
    if (g.contextLength !== undefined) parts.push(`context length ${grouped(g.contextLength)}`);
    parts.push(g.chatTemplate ? 'a chat template (`tokenizer.chat_template`)' : 'no chat template');
    w.fact(f.path, `GGUF metadata: ${parts.join(', ')}.`);
  }
  w.todo('the training objective and any change to the architecture of the base model.');

  w.heading(3, 'Compute Infrastructure');
  w.heading(4, 'Hardware');
  w.todo('the hardware used for training.');
  w.heading(4, 'Software');
  let software = false;
  if (config?.transformersVersion !== undefined) {
    w.fact(config.file, `written by transformers ${code(config.transformersVersion)}.`);
    software = true;
  }
  for (const dep of facts.dependencies) {
    const named = dep.packages.map((p) =>
      code(p.version !== undefined ? `${p.name} ${p.version}` : `${p.name}${p.requirement ?? ''}`),
    );
    if (named.length === 0 && dep.otherPackages === 0) continue;
    w.fact(
      dep.path,
      `${named.length > 0 ? joinWords(named) : 'no machine-learning packages'}${dep.otherPackages > 0 ? `; ${plural(dep.otherPackages, 'other package')}` : ''} (read as ${dep.format}).`,
    );
    software = true;
  }
  w.todo(
    software
      ? 'confirm these are the versions the model was trained with, and name any other software used.'
      : 'the software (and versions) used for training.',
  );
  w.notes(facts.notes, ['software']);
}

function writeClosing(w: CardWriter): void {
  w.heading(2, 'Citation');
  w.paragraph('**BibTeX:**');
  w.todo('the BibTeX entry of the paper or blog post introducing the model, if there is one.');
  w.paragraph('**APA:**');
  w.todo('the APA citation, if there is one.');
  w.heading(2, 'Model Card Contact');
  w.todo('how to reach the people responsible for the model and this card.');
}

/** The whole model card. */
export function renderModelCard(facts: FolderFacts, options: RenderOptions): string {
  const w = new CardWriter();
  w.frontMatter([LICENSE_TODO], modelFrontMatter(facts, options.name));
  w.comment(
    'Skeleton written by `pedigree card init`. Lines starting "From <file>:" state what that file in the folder says; replace each to-do line with what only you can say.',
  );
  w.heading(1, `Model Card for ${escapeInline(options.name)}`);
  w.todo('summarise in one or two sentences what the model is and does.');
  writeModelDetails(w, facts);
  writeUses(w);
  writeRisks(w);
  writeGetStarted(w, facts);
  writeTraining(w, facts, options);
  writeEvaluation(w, facts, options);
  writeEnvironment(w);
  writeTechnical(w, facts, options);
  writeClosing(w);
  return w.toString();
}
