// The drill's hand-written certificates must parse in Go's crypto/x509, which rejects what OpenSSL lets pass.
import * as crypto from 'crypto';
import { certificateAuthority, serverCertificate } from '../../src/drill/certificates';

describe('drill certificates', () => {
  test('serial numbers are positive and minimal DER, whatever the random bytes (Go: "malformed serial number")', () => {
    // One certificate in 256 had a needless leading zero byte before: among 1,500 at least one does (p > 0.997).
    for (let i = 0; i < 1500; i++) {
      const serial = new crypto.X509Certificate(certificateAuthority(`ca-${i}`).certificate).serialNumber;
      expect([i, serial.length, /^[4-7]/.test(serial)]).toEqual([i, 32, true]);
    }
  });

  test('a server certificate is issued by the CA, for its names', () => {
    const ca = certificateAuthority('drill-ca');
    const server = new crypto.X509Certificate(serverCertificate(ca, { commonName: 'proxy', dnsNames: ['localhost'], ips: ['127.0.0.1'] }).certificate);
    expect(server.checkIssued(new crypto.X509Certificate(ca.certificate))).toBe(true);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
  });
});
