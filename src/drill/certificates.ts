// X.509 certificates for the drill's TLS on 127.0.0.1, made with node's crypto alone (it signs, but has no API to
// write a certificate): a CA, and server certificates it issues, as DER written by hand. ECDSA P-256 with SHA-256,
// valid for a day. Go's crypto/x509 (client-go, kube-rbac-proxy, Prometheus) verifies them: that is their only use.
import * as crypto from 'crypto';
import * as net from 'net';

/** A certificate and its private key, PEM. */
export interface IssuedCertificate {
  readonly certificate: string;
  readonly privateKey: string;
}

/** A CA that issues server certificates. */
export interface CertificateAuthority extends IssuedCertificate {
  readonly name: Buffer;
  readonly key: crypto.KeyObject;
}

const der = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
};
const sequence = (...content: Buffer[]) => der(0x30, ...content);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const digits = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) digits.unshift((v & 0x7f) | 0x80);
    bytes.push(...digits);
  }
  return der(0x06, Buffer.from(bytes));
}

const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const utcTime = (date: Date) => der(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
const commonName = (cn: string) => sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(cn)))));
const extension = (id: string, critical: boolean, value: Buffer) => sequence(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  throw new Error(`certificates: only IPv4 addresses are supported, got ${ip}`);
}

interface Subject {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
}

function certificate(subject: Subject, key: crypto.KeyObject, issuer: { name: Buffer; key: crypto.KeyObject }, ca: boolean): { pem: string; name: Buffer } {
  const now = Date.now();
  // A positive serial number in minimal DER: the first bit clear (else negative) and the second set (a leading
  // zero byte would be non-minimal, which Go's x509 rejects as "malformed serial number").
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const names = [...(subject.dnsNames ?? []).map((d) => der(0x82, Buffer.from(d))), ...(subject.ips ?? []).map((ip) => der(0x87, ipBytes(ip)))];
  const extensions = [
    extension('2.5.29.19', true, sequence(...(ca ? [der(0x01, Buffer.from([0xff]))] : []))),
    // keyUsage: digitalSignature, and keyCertSign for the CA.
    extension('2.5.29.15', true, ca ? der(0x03, Buffer.from([0x02, 0x84])) : der(0x03, Buffer.from([0x07, 0x80]))),
    ...(ca ? [] : [extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1')))]),
    ...(names.length ? [extension('2.5.29.17', false, sequence(...names))] : []),
  ];
  const name = commonName(subject.commonName);
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ECDSA_SHA256,
    issuer.name.length ? issuer.name : name,
    sequence(utcTime(new Date(now - 60000)), utcTime(new Date(now + 86400000))),
    name,
    crypto.createPublicKey(key).export({ type: 'spki', format: 'der' }),
    der(0xa3, sequence(...extensions)),
  );
  const signature = crypto.sign('sha256', tbs, issuer.key);
  const cert = sequence(tbs, ECDSA_SHA256, der(0x03, Buffer.from([0]), signature));
  return { pem: `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`, name };
}

const newKey = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const pemKey = (key: crypto.KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A self-signed CA. */
export function certificateAuthority(name: string): CertificateAuthority {
  const key = newKey();
  const cert = certificate({ commonName: name }, key, { name: Buffer.alloc(0), key }, true);
  return { certificate: cert.pem, privateKey: pemKey(key), name: cert.name, key };
}

/** A server certificate the CA issues for these DNS names and IP addresses. */
export function serverCertificate(ca: CertificateAuthority, subject: Subject): IssuedCertificate {
  const key = newKey();
  return { certificate: certificate(subject, key, ca, false).pem, privateKey: pemKey(key) };
}
