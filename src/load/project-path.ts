import * as fs from 'fs';
import * as path from 'path';

/**
 * A file's path as the generated headers and errors name it: relative to its project (the nearest folder above it
 * that holds a package.json or cdk8s.yaml), never to the working folder, so that a synth run from anywhere writes
 * the same files. Without a project above it, its base name.
 */
export function relativeSource(file: string): string {
  const absolute = path.resolve(file);
  for (let dir = path.dirname(absolute); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, 'cdk8s.yaml'))) {
      return path.relative(dir, absolute).split(path.sep).join('/');
    }
    if (path.dirname(dir) === dir) return path.basename(absolute);
  }
}
