// Markdown helpers of the SUMMARY.md sections.

/** A Markdown table cell: pipes escaped (matchers like `a=~"x|y"` hold them), never empty. */
export function cell(text: string): string {
  return text ? text.replace(/\|/g, '\\|') : ' ';
}
