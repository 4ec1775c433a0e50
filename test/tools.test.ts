// The tools every rule test and drill runs are the software the stack deploys: built at the default images' versions,
// and they say so themselves.
import { spawnSync } from 'child_process';
import { DEFAULT_IMAGES } from '../src/core/images';
import { TOOLS, prometheusModuleVersion, toolFile } from '../src/core/tools';
import { testWithTool } from './tools';

test('each tool is built at the version of the image the stack deploys', () => {
  const release = (tag: string) => tag.replace(/^v/, '');
  expect(TOOLS.prometheus.version).toBe(release(DEFAULT_IMAGES.prometheus.tag));
  expect(TOOLS.promtool.version).toBe(release(DEFAULT_IMAGES.prometheus.tag));
  expect(TOOLS.alertmanager.version).toBe(release(DEFAULT_IMAGES.alertmanager.tag));
  expect(TOOLS.amtool.version).toBe(release(DEFAULT_IMAGES.alertmanager.tag));
  expect(TOOLS.node_exporter.version).toBe(release(DEFAULT_IMAGES.nodeExporter.tag));
  expect(TOOLS['kube-rbac-proxy'].version).toBe(release(DEFAULT_IMAGES.kubeRbacProxy.tag));
  expect(TOOLS.otelcol.version).toBe(release(DEFAULT_IMAGES.otelCollector.tag));
  // The Collector's components are at its image's release (the stable confmap providers at theirs).
  const modules = Object.values(TOOLS.otelcol.collector!).flat().map((c) => c.gomod);
  expect(modules.filter((m) => !m.includes('/confmap/')).every((m) => m.endsWith(` v${TOOLS.otelcol.version}`))).toBe(true);
});

test('Prometheus 3.MM.P is the Go module version v0.3MM.P', () => {
  expect(prometheusModuleVersion('v3.13.5')).toBe('v0.313.5');
  expect(prometheusModuleVersion('v3.5.0')).toBe('v0.305.0');
  expect(() => prometheusModuleVersion('v2.53.0')).toThrow('is not a v3.x.y release');
});

// Tools stamped another way than promu's are checked by their own tests (the Collector: test/otel/, Jaeger: test/tracing/,
// kube-rbac-proxy: below).
for (const tool of Object.values(TOOLS).filter((t) => !t.versioning && !t.collector)) {
  testWithTool(tool.name, `the installed ${tool.name} reports version ${tool.version}, built by the Go toolchain from ${tool.module}`, () => {
    const run = spawnSync(toolFile(tool.name), ['--version'], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toMatch(new RegExp(`^${tool.name}, version ${tool.version.replace(/\./g, '\\.')} `, 'm'));
    expect(`${run.stdout}${run.stderr}`).toMatch(/go version: +go1\.\d+/);
  });
}


// kube-rbac-proxy is stamped as Kubernetes components are (k8s.io/component-base/version), as its Makefile does.
testWithTool('kube-rbac-proxy', `the installed kube-rbac-proxy reports version v${TOOLS['kube-rbac-proxy'].version}, built by the Go toolchain from ${TOOLS['kube-rbac-proxy'].module}`, () => {
  const version = TOOLS['kube-rbac-proxy'].version.replace(/\./g, '\\.');
  const short = spawnSync(toolFile('kube-rbac-proxy'), ['--version'], { encoding: 'utf8' });
  expect(`${short.stdout}${short.stderr}`).toMatch(new RegExp(`^kube-rbac-proxy v${version}$`, 'm'));
  const raw = spawnSync(toolFile('kube-rbac-proxy'), ['--version=raw'], { encoding: 'utf8' });
  expect(`${raw.stdout}${raw.stderr}`).toMatch(new RegExp(`GitVersion:"v${version}".*GoVersion:"go1\\.\\d+`));
});
