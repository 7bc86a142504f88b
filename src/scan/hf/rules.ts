import type { RuleDescriptor } from '../../core/rules.js';

/** Rules for Hugging Face repository layouts. */
export const HF_RULES = {
  remoteCode: {
    id: 'HF-REMOTE-CODE',
    title: 'Model runs its own Python code with trust_remote_code',
    description:
      'A Hugging Face configuration makes a loader import Python code that is not part of the library: transformers `auto_map` and `custom_pipelines` (config.json, tokenizer_config.json, preprocessor/processor configs), diffusers custom components (`["my_module", "MyUNet"]` in model_index.json, loaded from `<component>/my_module.py`) and custom pipelines (`_class_name: [module, Class]`, a root `pipeline.py`), sentence-transformers modules.json types outside `sentence_transformers.`, and transformers\' `custom_generate/generate.py`. With `trust_remote_code=True` (and for sentence-transformers local folders, community pipelines and local diffusers imports, sometimes without it) that code runs: arbitrary code execution by the repository\'s author, or by the author of another repository it names (`other/repo--module.Class`).',
    help: 'Review every listed module before passing trust_remote_code=True, pin the revision you reviewed, and prefer architectures that transformers implements itself.',
    defaultSeverity: 'high',
    references: [
      'https://huggingface.co/docs/transformers/custom_models#using-a-model-with-custom-code',
      'https://huggingface.co/docs/diffusers/using-diffusers/custom_pipeline_overview',
      'https://sbert.net/docs/sentence_transformer/usage/custom_models.html',
    ],
    tags: ['security', 'huggingface', 'code-execution'],
  },
  adapterBaseModel: {
    id: 'HF-ADAPTER-BASE-MODEL',
    title: 'Adapter loads a base model from elsewhere',
    description:
      'A PEFT adapter_config.json names the base model (`base_model_name_or_path`) that AutoPeftModel and pipelines load before applying the adapter. That model is not part of this scan: its weights and any remote code it needs come from the Hub or a local path at load time.',
    help: 'Scan the base model too, pin its revision, and check whether it needs trust_remote_code.',
    defaultSeverity: 'info',
    references: ['https://huggingface.co/docs/peft/package_reference/auto_class'],
    tags: ['huggingface', 'provenance'],
  },
  pickleBesideSafetensors: {
    id: 'HF-PICKLE-WEIGHTS',
    title: 'Pickle weights shipped next to safetensors',
    description:
      'The folder holds the same kind of weights twice: safetensors, which cannot run code, and a pickle-based checkpoint (PyTorch .bin/.pt, plain pickle), which can. transformers prefers safetensors when both exist, but other loaders, scripts and older versions load the pickle.',
    help: 'Load the safetensors file (`use_safetensors=True` in transformers), or delete the pickle-based copy from your mirror.',
    defaultSeverity: 'low',
    references: ['https://huggingface.co/docs/safetensors'],
    tags: ['huggingface', 'pickle'],
  },
  pythonCode: {
    id: 'HF-PYTHON-CODE',
    title: 'Python code shipped with the model',
    description:
      "A model folder holds Python files. transformers (`trust_remote_code=True`, dynamic_module_utils) and diffusers (custom pipelines and components) import them from the model folder, and users run them as the model's own scripts. Files that call the shell, evaluate code, open sockets or post data are reported at high with the lines that do it.",
    help: 'Read the files before running or importing them; never pass trust_remote_code=True for a repository you have not reviewed, and pin the revision you reviewed.',
    defaultSeverity: 'medium',
    references: [
      'https://huggingface.co/docs/transformers/custom_models#using-a-model-with-custom-code',
      'https://huggingface.co/docs/diffusers/using-diffusers/custom_pipeline_overview',
    ],
    tags: ['security', 'huggingface', 'code-execution'],
  },
  configSecret: {
    id: 'HF-CONFIG-SECRET',
    title: 'Credential in a model configuration',
    description:
      'A value in a configuration file (config.json, generation_config.json, *config*.json) looks like a credential: a token with a known vendor prefix (hf_, sk-, AKIA, ghp_ ...), a private key block, or a random-looking value under a key such as api_key, password or secret. The evidence shows its first 4 characters and its length only.',
    help: 'Revoke the credential if it is real and remove it from the file and the repository history; treat a planted one as a sign of tampering.',
    defaultSeverity: 'medium',
    references: ['https://huggingface.co/docs/hub/security-secrets'],
    tags: ['security', 'huggingface', 'secrets'],
  },
  configIndicator: {
    id: 'HF-CONFIG-INDICATOR',
    title: 'Suspicious value in a model configuration',
    description:
      'A configuration value holds a URL to a host outside the model hubs and code hosts, a shell command, script markup or Python code. Loaders do not run these values, but code shipped with the model, a serving stack or a pipeline step may; they are what a planted callback or payload looks like.',
    help: 'Check what reads the value; remove it if nothing legitimate should.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['security', 'huggingface', 'indicator'],
  },
} as const satisfies Record<string, RuleDescriptor>;
