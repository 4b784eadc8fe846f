import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Every relative link in README.md and docs/**\/*.md resolves inside this repository: the file
 * (or folder) exists, and a `#anchor` names a heading of the target Markdown file by GitHub's
 * slug rules. A reader who cloned only this repository must never meet a dead link, so a link
 * that climbs out of it (`../shared/...`) fails even where that folder happens to exist.
 */
const ROOT = resolve(__dirname, '..', '..');

/** README.md and every Markdown file under docs/. */
export function markdownFiles(root: string = ROOT): string[] {
  const files = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

/** The text outside fenced code blocks (``` or ~~~), line by line; fenced lines become empty. */
function withoutFences(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split(/\r?\n/).map((line) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
      return '';
    }
    if (m) {
      fence = m[1];
      return '';
    }
    return line;
  });
}

/**
 * GitHub's heading slug (github-slugger): the heading's text as rendered (inline code, links and
 * emphasis reduced to their words), lower-cased, every character that is not a letter, a digit,
 * a mark, a connector (`_`), a hyphen or a space removed, spaces turned into hyphens. A repeated
 * slug gets `-1`, `-2`... in order.
 */
export function slugOf(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown file offers: its ATX headings' slugs, with GitHub's numbering of repeats. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(markdown)) {
    const m = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (!m) continue;
    const base = slugOf(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`, outside code. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  withoutFences(markdown).forEach((raw, i) => {
    const line = raw.replace(/(`+)[^`]*?\1/g, (s) => ' '.repeat(s.length));
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1].replace(/^<|>$/g, '') });
    }
    const def = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (def) links.push({ line: i + 1, target: def[1].replace(/^<|>$/g, '') });
  });
  return links;
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** What is wrong with one link of `file`, or null when it resolves. */
export function problemOf(file: string, target: string, root: string = ROOT): string | null {
  if (EXTERNAL.test(target)) return null;
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
  if (pathPart.startsWith('/')) return 'an absolute path: link relative to the file';
  const resolved = pathPart === '' ? file : resolve(dirname(file), pathPart);
  const inRepo = relative(root, resolved);
  if (inRepo.startsWith('..') || inRepo.startsWith(sep)) return `${pathPart} is outside the repository`;
  if (!existsSync(resolved)) return `${inRepo} does not exist`;
  if (anchor === null || anchor === '') return null;
  if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return `#${anchor} on ${inRepo}, which is not a Markdown file`;
  if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) return `${inRepo} has no heading #${anchor}`;
  return null;
}

/** Every broken link of the given files, as `file:line target: why`. */
export function brokenLinks(files: string[], root: string = ROOT): string[] {
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const { line, target } of linksOf(text)) {
      const problem = problemOf(file, target, root);
      if (problem) broken.push(`${relative(root, file)}:${line} ${target}: ${problem}`);
    }
    // A path to the design notes outside the repository, even as plain text, sends the reader nowhere.
    withoutFences(text).forEach((l, i) => {
      if (l.includes('../shared/')) broken.push(`${relative(root, file)}:${i + 1} mentions ../shared/, which is not in the repository`);
    });
  }
  return broken;
}

describe('documentation links', () => {
  it('README.md and docs/ exist and docs/ holds the architecture, decisions, module guide and API', () => {
    const files = markdownFiles().map((f) => relative(ROOT, f));
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/adding-a-module.md', 'docs/api.md', join('docs', 'decisions', 'README.md')]));
  });

  it('every relative link and #anchor in README.md and docs/**/*.md resolves inside the repository', () => {
    expect(brokenLinks(markdownFiles())).toEqual([]);
  });

  it('slugs follow GitHub: punctuation dropped, spaces to hyphens, repeats numbered', () => {
    expect(slugOf('Projections, subscriptions, rebuilds')).toBe('projections-subscriptions-rebuilds');
    expect(slugOf('Database: embedded or PostgreSQL')).toBe('database-embedded-or-postgresql');
    expect(slugOf('The `es_append` function (one statement)')).toBe('the-es_append-function-one-statement');
    expect(slugOf('Step 3 - the decider')).toBe('step-3---the-decider');
    expect([...anchorsOf('# A\n## A\n```\n# not a heading\n```\n### A ##\n')]).toEqual(['a', 'a-1', 'a-2']);
  });

  it('catches what a reader would hit: a missing file, a missing heading, a link out of the repository', () => {
    const readme = join(ROOT, 'README.md');
    expect(problemOf(readme, 'docs/no-such-file.md')).toMatch(/does not exist/);
    expect(problemOf(readme, 'docs/architecture.md#no-such-heading')).toMatch(/no heading/);
    expect(problemOf(readme, '../shared/design/API.md')).toMatch(/outside the repository/);
    expect(problemOf(readme, '#two-commands')).toBeNull();
    expect(problemOf(readme, 'https://example.com/x#y')).toBeNull();
    expect(linksOf('see `[not](a-link.md)` and [yes](b.md#c)\n```\n[no](c.md)\n```')).toEqual([{ line: 1, target: 'b.md#c' }]);
  });
});
