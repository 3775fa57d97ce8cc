// The README's five-minute tour as data, so that test/e2e/server-tour.test.ts runs exactly what the README says:
// the shell lines of the first ```sh block after the "## A five-minute tour" heading (a line ending in `\` joined
// with the next, comments outside quotes dropped, blank lines skipped), and the sample listing of
// `kubectl get pods -n kube-system` (the first plain ``` block after it). Pure text functions.

const tourHeading = /^## A five-minute tour\b/m;

/** The body of the first fenced block opening with exactly "```<lang>" at or after `from`. */
function fencedBlock(text: string, lang: string, from: number): { body: string; end: number } {
  const open = `\n\`\`\`${lang}\n`;
  const start = text.indexOf(open, from);
  if (start < 0) throw new Error(`no \`\`\`${lang} block after the tour heading`);
  const bodyStart = start + open.length;
  const close = text.indexOf('\n```', bodyStart - 1);
  if (close < 0) throw new Error(`unterminated \`\`\`${lang} block`);
  return { body: text.slice(bodyStart, close + 1), end: close + 4 };
}

/** The line without a trailing `# comment` (a `#` at the start or after whitespace, outside quotes). */
export function stripComment(line: string): string {
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\') {
      i++;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** The tour's commands, one per shell command line, in order. */
export function tourCommands(readme: string): string[] {
  const heading = readme.search(tourHeading);
  if (heading < 0) throw new Error('README has no "## A five-minute tour" section');
  const { body } = fencedBlock(readme, 'sh', heading);
  const joined = body.replace(/\\\n\s*/g, '');
  return joined.split('\n').map(stripComment).map((l) => l.trim()).filter(Boolean);
}

/** The NAME column of the tour's sample `kubectl get pods -n kube-system` listing. */
export function tourSampleListing(readme: string): { header: string[]; names: string[] } {
  const heading = readme.search(tourHeading);
  if (heading < 0) throw new Error('README has no "## A five-minute tour" section');
  const { end } = fencedBlock(readme, 'sh', heading);
  const rows = fencedBlock(readme, '', end).body.trim().split('\n').map((l) => l.trim().split(/\s+/));
  return { header: rows[0]!, names: rows.slice(1).map((r) => r[0]!) };
}
