import { stringify } from 'yaml';

export function toYaml(value: unknown): string {
  // No line folding and no anchors: every file reads on its own and diffs line by line.
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
