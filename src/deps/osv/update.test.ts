import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { openOsvDatabase, storeSources } from './store.js';
import { pypiRecord } from './test-support.js';
import { exportUrl, updateOsv } from './update.js';

let server: Server;
let base: string;
const requests: { url: string; ifNoneMatch?: string }[] = [];
let zip = buildZip([
  {
    name: 'PYSEC-1.json',
    data: JSON.stringify(pypiRecord('PYSEC-1', 'requests', [{ introduced: '0' }, { fixed: '2.0' }])),
    method: 8,
  },
]);
let etag = '"v1"';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({
      url: req.url ?? '',
      ...(req.headers['if-none-match'] ? { ifNoneMatch: String(req.headers['if-none-match']) } : {}),
    });
    if (req.url === '/PyPI/all.zip') {
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304).end();
        return;
      }
      res
        .writeHead(200, {
          etag,
          'content-length': zip.length,
          'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT',
        })
        .end(zip);
      return;
    }
    res.writeHead(404).end('no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('OSV download', () => {
  it('downloads an ecosystem export, then asks conditionally and keeps it when unchanged', async () => {
    const store = mkdtempSync(join(tmpdir(), 'pedigree-update-'));
    const first = await updateOsv(store, { baseUrl: base, ecosystems: ['PyPI'] });
    expect(first.map((o) => [o.status, o.import?.source.records])).toEqual([['updated', 1]]);
    expect(storeSources(store)[0]).toMatchObject({
      kind: 'url',
      etag: '"v1"',
      location: `${base}/PyPI/all.zip`,
    });
    const second = await updateOsv(store, { baseUrl: base, ecosystems: ['PyPI'] });
    expect(second.map((o) => o.status)).toEqual(['unchanged']);
    expect(requests.at(-1)?.ifNoneMatch).toBe('"v1"');

    zip = buildZip([
      {
        name: 'PYSEC-1.json',
        data: JSON.stringify(pypiRecord('PYSEC-1', 'requests', [{ introduced: '0' }, { fixed: '2.0' }])),
      },
      {
        name: 'PYSEC-2.json',
        data: JSON.stringify(pypiRecord('PYSEC-2', 'requests', [{ introduced: '0' }, { fixed: '3.0' }])),
      },
    ]);
    etag = '"v2"';
    const third = await updateOsv(store, { baseUrl: base, ecosystems: ['PyPI'] });
    expect(third.map((o) => [o.status, o.import?.source.records])).toEqual([['updated', 2]]);
    const db = openOsvDatabase([store]);
    expect(db.recordsFor('PyPI', 'requests').map((r) => r.id)).toEqual(['PYSEC-1', 'PYSEC-2']);
    db.close();
  });

  it('reports HTTP errors and refuses plain HTTP off the machine', async () => {
    const store = mkdtempSync(join(tmpdir(), 'pedigree-update-'));
    await expect(updateOsv(store, { baseUrl: base, ecosystems: ['npm'] })).rejects.toThrow(/HTTP 404/);
    expect(() => exportUrl('http://example.com', 'PyPI')).toThrow(/only https/);
    expect(exportUrl('https://mirror.example/osv/', 'Debian:12').href).toBe(
      'https://mirror.example/osv/Debian%3A12/all.zip',
    );
    await expect(
      updateOsv(store, { baseUrl: 'http://127.0.0.1:1', ecosystems: ['PyPI'], timeoutMs: 2000 }),
    ).rejects.toThrow(/download failed/);
  });
});
