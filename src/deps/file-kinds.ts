// No imports: `pedigree scan` asks this of every file it walks without loading the readers.

/**
 * Which reader reads a file, by its name: manifests and lockfiles are named by their tools (pip's
 * `requirements*.txt` by convention, the others by fixed names), and their content alone would not tell a
 * pip requirements file from any other text.
 */
export type DependencyFileKind =
  | 'requirements'
  | 'pyproject.toml'
  | 'poetry.lock'
  | 'uv.lock'
  | 'Pipfile.lock'
  | 'pdm.lock'
  | 'pylock.toml'
  | 'conda'
  | 'package-lock.json';

const SUFFIXES: readonly [string, DependencyFileKind][] = [
  ['-uv.lock', 'uv.lock'],
  ['_uv.lock', 'uv.lock'],
  ['-poetry.lock', 'poetry.lock'],
  ['_poetry.lock', 'poetry.lock'],
  ['-pdm.lock', 'pdm.lock'],
  ['-pipfile.lock', 'Pipfile.lock'],
  ['-package-lock.json', 'package-lock.json'],
  ['-pyproject.toml', 'pyproject.toml'],
];

/** The kind of dependency file a file name is, or undefined. */
export function dependencyFileKind(fileName: string): DependencyFileKind | undefined {
  const name = fileName.toLowerCase();
  switch (name) {
    case 'pyproject.toml':
      return 'pyproject.toml';
    case 'poetry.lock':
      return 'poetry.lock';
    case 'uv.lock':
      return 'uv.lock';
    case 'pipfile.lock':
      return 'Pipfile.lock';
    case 'pdm.lock':
      return 'pdm.lock';
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return 'package-lock.json';
    case 'environment.yml':
    case 'environment.yaml':
    case 'conda.yml':
    case 'conda.yaml':
      return 'conda';
  }
  // Copies named after their project (`server-uv.lock`, `gaudi-poetry.lock`), as kept in monorepos and CI.
  for (const [suffix, kind] of SUFFIXES) if (name.endsWith(suffix)) return kind;
  // PEP 751: `pylock.toml` or `pylock.<name>.toml`.
  if (/^pylock(\.[^./]+)?\.toml$/.test(name)) return 'pylock.toml';
  // pip's conventions: requirements.txt, requirements-dev.txt, dev-requirements.txt, constraints.txt,
  // requirements.in (pip-tools input), and conda's `environment-*.yml`.
  if (/^(.*[-_.])?(requirements|constraints)([-_.].*)?\.(txt|in)$/.test(name)) return 'requirements';
  // conda's `environment-gpu.yml` and projects' `sd-environment.yaml`, `conda-cuda.yml`.
  if (/^(.*[-_.])?environment([-_.][^/]*)?\.ya?ml$/.test(name) || /^conda[-_.][^/]*\.ya?ml$/.test(name))
    return 'conda';
  return undefined;
}
