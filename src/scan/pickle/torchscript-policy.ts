import type { ImportPolicy } from './policy.js';

/**
 * Pickles inside TorchScript archives are read by TorchScript's own unpickler (torch/csrc/jit/serialization/
 * unpickler.cpp), not Python's: `__torch__.*` names resolve to classes compiled from the archive's code/
 * folder and `torch.jit._pickle.*` to a fixed set of builders, and nothing else can be imported. Those names
 * are allowed here (the code itself is reported separately); every other name keeps the normal verdict.
 */
export function createTorchScriptPolicy(base: ImportPolicy): ImportPolicy {
  return {
    classify(module, name) {
      if (module === '__torch__' || module.startsWith('__torch__.')) {
        return {
          kind: 'allowed',
          canonical: `${module}.${name}`,
          reason: 'a TorchScript class compiled from the archive code, resolved without Python imports',
        };
      }
      if (module === 'torch.jit._pickle') {
        return {
          kind: 'allowed',
          canonical: `${module}.${name}`,
          reason: "one of TorchScript's fixed unpickler builders",
        };
      }
      return base.classify(module, name);
    },
  };
}
