import type { RuleDescriptor } from '../../core/rules.js';

/** Rules for Hugging Face repository layouts. */
export const HF_RULES = {
  remoteCode: {
    id: 'HF-REMOTE-CODE',
    title: 'Model runs its own Python code with trust_remote_code',
    description:
      "A Hugging Face configuration maps Auto classes (`auto_map`) or pipelines (`custom_pipelines`) to Python modules shipped with the repository or fetched from another one. `from_pretrained(..., trust_remote_code=True)` imports and runs them: that is arbitrary code execution by the repository's author.",
    help: 'Review every listed module before passing trust_remote_code=True, pin the revision you reviewed, and prefer architectures that transformers implements itself.',
    defaultSeverity: 'high',
    references: ['https://huggingface.co/docs/transformers/custom_models#using-a-model-with-custom-code'],
    tags: ['security', 'huggingface', 'code-execution'],
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
} as const satisfies Record<string, RuleDescriptor>;
