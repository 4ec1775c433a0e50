import * as fs from 'fs';
import * as path from 'path';

/**
 * The version of the installed package, read at run time from its package.json: the first one named cdk8s-o11y
 * above this file (build/src/cli/ when built, src/cli/ under the test runner), so it never drifts from a release.
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'cdk8s-o11y' && typeof manifest.version === 'string') return manifest.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json of cdk8s-o11y above ${from}`);
  }
}

/** `o11y version --json`. A stable shape: fields are only ever added. */
export interface VersionJson {
  readonly name: 'cdk8s-o11y';
  readonly version: string;
}

/** `o11y version`: the version alone, or VersionJson (`--version` and `-V` stay plain text). */
export function versionCommand(options: { readonly json?: boolean } = {}): void {
  if (options.json) console.log(JSON.stringify({ name: 'cdk8s-o11y', version: packageVersion() } satisfies VersionJson, null, 2));
  else console.log(packageVersion());
}
