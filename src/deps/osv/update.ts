import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ImportResult, importOsv, MAX_ZIP_BYTES, OsvStoreError, storeSources } from './store.js';

/**
 * Downloads OSV's per-ecosystem exports (`<base>/<ecosystem>/all.zip`, https://google.github.io/osv.dev/data/)
 * and imports them. Requests are conditional (If-None-Match / If-Modified-Since, RFC 9110 section 13.1), so
 * an unchanged export costs one round trip. Only HTTPS is used, except to a loopback address (tests, mirrors
 * on the same machine).
 */
export const DEFAULT_OSV_BASE_URL = 'https://osv-vulnerabilities.storage.googleapis.com';
/** Ecosystems downloaded when none are named: the ones pedigree reads lockfiles for. */
export const DEFAULT_ECOSYSTEMS = ['PyPI', 'npm'] as const;
/** Time allowed for one download. */
export const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;

export interface UpdateOutcome {
  readonly ecosystem: string;
  readonly url: string;
  readonly status: 'updated' | 'unchanged';
  readonly import?: ImportResult;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The export URL of an ecosystem; refuses anything but HTTPS (or HTTP to loopback). */
export function exportUrl(base: string, ecosystem: string): URL {
  let url: URL;
  try {
    url = new URL(`${base.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`);
  } catch {
    throw new OsvStoreError(`${base}: not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new OsvStoreError(`${url.href}: only https:// URLs are used (http:// only to a loopback address)`);
  return url;
}

export async function updateOsv(
  storeDir: string,
  options: {
    readonly baseUrl?: string;
    readonly ecosystems?: readonly string[];
    readonly timeoutMs?: number;
    readonly now?: Date;
    readonly fetch?: typeof fetch;
  } = {},
): Promise<UpdateOutcome[]> {
  const base = options.baseUrl ?? DEFAULT_OSV_BASE_URL;
  const doFetch = options.fetch ?? fetch;
  const outcomes: UpdateOutcome[] = [];
  for (const ecosystem of options.ecosystems ?? DEFAULT_ECOSYSTEMS) {
    const url = exportUrl(base, ecosystem);
    const id = `osv-${ecosystem.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    const earlier = storeSources(storeDir).find((s) => s.id === id && s.location === url.href);
    const headers: Record<string, string> = { 'user-agent': 'pedigree (https://github.com/pedigree)' };
    if (earlier?.etag) headers['if-none-match'] = earlier.etag;
    if (earlier?.lastModified) headers['if-modified-since'] = earlier.lastModified;
    let response: Response;
    try {
      response = await doFetch(url, {
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      throw new OsvStoreError(`${url.href}: download failed (${(error as Error).message})`);
    }
    if (response.status === 304 && earlier) {
      outcomes.push({ ecosystem, url: url.href, status: 'unchanged' });
      continue;
    }
    if (!response.ok || response.body === null)
      throw new OsvStoreError(`${url.href}: HTTP ${response.status} ${response.statusText}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_ZIP_BYTES)
      throw new OsvStoreError(`${url.href}: ${declared} bytes, over ${MAX_ZIP_BYTES}`);
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-osv-download-'));
    try {
      const file = join(dir, 'all.zip');
      let received = 0;
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_ZIP_BYTES)
          body.destroy(new OsvStoreError(`${url.href}: more than ${MAX_ZIP_BYTES} bytes`));
      });
      await pipeline(body, createWriteStream(file));
      const etag = response.headers.get('etag') ?? undefined;
      const lastModified = response.headers.get('last-modified') ?? undefined;
      const result = importOsv(storeDir, file, {
        kind: 'url',
        id,
        recordedLocation: url.href,
        ...(options.now ? { now: options.now } : {}),
        ...(etag ? { etag } : {}),
        ...(lastModified ? { lastModified } : {}),
      });
      outcomes.push({ ecosystem, url: url.href, status: 'updated', import: result });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return outcomes;
}
