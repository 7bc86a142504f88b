import { generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';

/**
 * X.509 v3 certificates built in code for tests (RFC 5280 §4.1), with exactly the extensions a case
 * needs: basic constraints, key usage bits, extended key usages. ECDSA P-256 keys, signed with
 * ecdsa-with-SHA256. Test support only (excluded from the build).
 */

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as number[];
  const bytes = [(a as number) * 40 + (b as number)];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || (bytes[0] as number) >= 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

function name(cn: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
}

function utcTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .slice(2);
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/** RFC 5280 §4.2.1.3 bit numbers. */
const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

function keyUsageBits(usages: readonly KeyUsageName[]): Buffer {
  let byte = 0;
  for (const u of usages) byte |= 0x80 >> KEY_USAGE_BITS[u];
  if (byte === 0) return tlv(0x03, Buffer.from([0]));
  let unused = 0;
  while (((byte >> unused) & 1) === 0) unused++;
  return tlv(0x03, Buffer.from([unused, byte]));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

export interface CertificateSpec {
  readonly subject: string;
  /** The issuer; absent for a self-signed certificate. */
  readonly issuer?: { readonly subject: string; readonly privateKey: KeyObject };
  readonly ca?: boolean;
  /** The key usage extension's bits; absent: no key usage extension. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Extended key usage OIDs; absent: no extended key usage extension. */
  readonly extKeyUsage?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly serial?: number;
  /** The certificate's key pair; a new P-256 pair when absent. */
  readonly keyPair?: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
}

export interface TestCertificate {
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  readonly subject: string;
  readonly pem: string;
}

let serials = 1000;

/** A certificate as the spec says (its key new P-256 unless given), signed by the issuer's key or its own. */
export function createTestCertificate(spec: CertificateSpec): TestCertificate {
  const { privateKey, publicKey } = spec.keyPair ?? generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = spec.issuer?.privateKey ?? privateKey;
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const extensions = [
    extension('2.5.29.19', true, spec.ca ? seq(tlv(0x01, Buffer.from([0xff]))) : seq()),
    ...(spec.keyUsage !== undefined ? [extension('2.5.29.15', true, keyUsageBits(spec.keyUsage))] : []),
    ...(spec.extKeyUsage !== undefined
      ? [extension('2.5.29.37', false, seq(...spec.extKeyUsage.map(oid)))]
      : []),
  ];
  const tbs = seq(
    tlv(0xa0, integer(2)),
    integer(spec.serial ?? serials++),
    ecdsaSha256,
    name(spec.issuer?.subject ?? spec.subject),
    seq(
      utcTime(spec.notBefore ?? new Date('2025-01-01T00:00:00Z')),
      utcTime(spec.notAfter ?? new Date('2045-01-01T00:00:00Z')),
    ),
    name(spec.subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, signer);
  const der = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certificate = new X509Certificate(der);
  return { certificate, privateKey, subject: spec.subject, pem: certificate.toString() };
}

/** A root CA, an intermediate CA under it, and the specs' leaves under the intermediate. */
export function createTestHierarchy(): {
  readonly root: TestCertificate;
  readonly intermediate: TestCertificate;
  readonly leaf: (spec: Omit<CertificateSpec, 'issuer' | 'ca'>) => TestCertificate;
} {
  const root = createTestCertificate({
    subject: 'test-root',
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const intermediate = createTestCertificate({
    subject: 'test-intermediate',
    issuer: root,
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  return {
    root,
    intermediate,
    leaf: (spec) => createTestCertificate({ ...spec, issuer: intermediate }),
  };
}
