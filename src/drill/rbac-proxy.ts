// kube-rbac-proxy as the drill runs it: the stack's container args with only the addresses changed (it listens on
// 127.0.0.1, its upstream is the drill's node_exporter) and a kubeconfig for the drill's API server, which knows the
// proxy's ServiceAccount token and Prometheus' and reviews them against the RBAC the stack grants. cert-manager's
// Secrets the proxy mounts are issued by the drill (a CA and a certificate for the Certificate's names), so that a
// Prometheus that checks the certificate checks a real one. Prometheus' scrape config is the ServiceMonitor endpoint's.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { certificateAuthority, serverCertificate } from './certificates';
import { FakeApiServer } from './fake-apiserver';
import type { ProxiedScrape } from './proxied-scrape';

/** The drill's side of a proxied scrape: the API server (running until `stop()`) and the files it wrote. */
export interface ProxyEnvironment {
  readonly api: FakeApiServer;
  readonly kubeconfig: string;
  /** Prometheus' ServiceAccount token, as the file its scrape config reads. */
  readonly tokenFile: string;
  /** Secret name -> the folder holding its keys (`ca.crt`, `tls.crt`, `tls.key`). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Stops the API server. */
  stop(): Promise<void>;
}

const token = () => crypto.randomBytes(24).toString('hex');

/** Starts the API server and writes the kubeconfig, Prometheus' token and the issued Secrets into `dir`. */
export async function proxyEnvironment(scrape: ProxiedScrape, dir: string): Promise<ProxyEnvironment> {
  const tokens = { proxy: token(), prometheus: token() };
  const api = await FakeApiServer.start({ [tokens.proxy]: scrape.proxyUser, [tokens.prometheus]: scrape.prometheusUser });
  try {
    const kubeconfig = path.join(dir, 'kube-rbac-proxy.kubeconfig');
    api.writeKubeconfig(kubeconfig, tokens.proxy);
    const tokenFile = path.join(dir, 'prometheus.token');
    fs.writeFileSync(tokenFile, tokens.prometheus, { mode: 0o600 });
    const secrets: Record<string, string> = {};
    for (const issued of scrape.secrets) {
      const folder = path.join(dir, 'secrets', issued.secret);
      fs.mkdirSync(folder, { recursive: true });
      // As cert-manager's CA Issuer writes a Secret: the certificate, its key, and the CA that signed it.
      const ca = certificateAuthority(`cdk8s-o11y drill CA for ${issued.secret}`);
      const serving = serverCertificate(ca, { commonName: issued.dnsNames[0] ?? issued.secret, dnsNames: issued.dnsNames });
      fs.writeFileSync(path.join(folder, 'ca.crt'), ca.certificate);
      fs.writeFileSync(path.join(folder, 'tls.crt'), serving.certificate);
      fs.writeFileSync(path.join(folder, 'tls.key'), serving.privateKey, { mode: 0o600 });
      secrets[issued.secret] = folder;
    }
    return { api, kubeconfig, tokenFile, secrets, stop: () => api.stop() };
  } catch (error) {
    await api.stop();
    throw error;
  }
}

/**
 * The stack's args with the drill's addresses: `--secure-listen-address` on 127.0.0.1, `--upstream` at the drill's
 * node_exporter (its path kept), the mounted Secrets' folders for the pod's, and `--kubeconfig`. An arg the stack
 * does not give is added, so the proxy listens where the drill scrapes.
 */
export function proxyArgs(scrape: Pick<ProxiedScrape, 'args' | 'secrets'>, o: { listenPort: number; upstreamPort: number; kubeconfig: string; secrets?: Readonly<Record<string, string>> }): string[] {
  const listen = `--secure-listen-address=127.0.0.1:${o.listenPort}`;
  const upstreamOf = (value: string) => {
    const url = new URL(value);
    url.host = `127.0.0.1:${o.upstreamPort}`;
    return `--upstream=${url.href}`;
  };
  const mounts = scrape.secrets.filter((s) => s.mountPath && o.secrets?.[s.secret]);
  const local = (arg: string) => mounts.reduce((a, m) => a.replace(`=${m.mountPath}/`, `=${o.secrets![m.secret]}/`), arg);
  const args = scrape.args.map((arg) => {
    if (arg.startsWith('--secure-listen-address=')) return listen;
    if (arg.startsWith('--upstream=')) return upstreamOf(arg.slice('--upstream='.length));
    return local(arg);
  });
  if (!args.includes(listen)) args.push(listen);
  if (!args.some((a) => a.startsWith('--upstream='))) args.push(`--upstream=http://127.0.0.1:${o.upstreamPort}/`);
  return [...args.filter((a) => !a.startsWith('--kubeconfig=')), `--kubeconfig=${o.kubeconfig}`];
}

/** Prometheus' scrape config of the proxy, as the operator renders the ServiceMonitor endpoint. */
export function proxyScrapeConfig(scrape: ProxiedScrape, env: Pick<ProxyEnvironment, 'tokenFile' | 'secrets'>, job: string, target: string, labels: Record<string, string>): Record<string, unknown> {
  const { insecureSkipVerify, serverName, ca } = scrape.tls;
  const tls = {
    ...(insecureSkipVerify ? { insecure_skip_verify: true } : {}),
    ...(serverName ? { server_name: serverName } : {}),
    ...(ca && env.secrets[ca.secret] ? { ca_file: path.join(env.secrets[ca.secret], ca.key) } : {}),
  };
  return {
    job_name: job,
    scheme: scrape.scheme,
    metrics_path: scrape.metricsPath,
    ...(scrape.sendsToken ? { authorization: { type: 'Bearer', credentials_file: env.tokenFile } } : {}),
    ...(Object.keys(tls).length ? { tls_config: tls } : {}),
    static_configs: [{ targets: [target], labels }],
  };
}
