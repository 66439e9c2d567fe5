/**
 * Relative links and anchors of Markdown pages, checked the way GitHub renders
 * them: pure functions over text, so the test can hand them literal pages.
 */

/** One link written in a page: its text's line, and the target as written. */
export interface MarkdownLink {
  line: number;
  target: string;
}

/** A link that does not resolve, with the reason. */
export interface BrokenLink {
  page: string;
  line: number;
  target: string;
  reason: string;
}

/** The lines outside fenced code blocks (``` or ~~~), each with its 1-based number; code lines are blanked. */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1][0];
      else if (m[1][0] === fence) fence = undefined;
      return '';
    }
    return fence === undefined ? line : '';
  });
}

/** A line without its inline code spans (a link inside backticks is not a link). */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, '');
}

/**
 * GitHub's anchor for a heading's text: the rendered text lower-cased, every
 * character that is not a letter, a digit, a space, `-` or `_` removed, spaces
 * turned into `-`. Markdown syntax is rendered first: code spans keep their
 * text, links keep their text, emphasis markers go.
 */
export function githubSlug(heading: string): string {
  // Code spans keep their text as written (`<host>` stays text); outside them HTML tags and emphasis go.
  const rendered = heading
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length >= 2
        ? part.slice(1, -1)
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<\/?[A-Za-z][^>]*>/g, '')
            .replace(/(\*\*|__|\*)/g, ''),
    )
    .join('');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers: its headings' slugs (repeats get `-1`, `-2`, ...) and explicit `id`/`name` attributes. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = proseLines(text);
  for (const line of lines) {
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = githubSlug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
  }
  return anchors;
}

/** Every link target in a page's prose (inline links, images and reference definitions), outside code. */
export function linksOf(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(text).forEach((raw, i) => {
    const line = withoutCodeSpans(raw);
    for (const m of line.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1] });
    }
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (def) links.push({ line: i + 1, target: def[1] });
  });
  return links;
}

/** Whether a target leaves the repository (a URL with a scheme, or protocol-relative). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** What the checker needs to know of the files around a page. */
export interface LinkContext {
  /** Whether a path (relative to the repository root, `/`-separated, normalised) exists. */
  exists(path: string): boolean;
  /** The text of a Markdown file (relative to the repository root), for its anchors. */
  read(path: string): string;
}

/** `a/b/../c` -> `a/c`; undefined when it climbs out of the repository. */
export function joinPath(fromDir: string, rel: string): string | undefined {
  const parts = fromDir === '' ? [] : fromDir.split('/');
  for (const p of rel.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

/** The links of one page (path relative to the repository root) that do not resolve. */
export function brokenLinks(page: string, text: string, ctx: LinkContext): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const dir = page.includes('/') ? page.slice(0, page.lastIndexOf('/')) : '';
  for (const { line, target } of linksOf(text)) {
    if (isExternal(target)) continue;
    const hash = target.indexOf('#');
    const file = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const path = file === '' ? page : joinPath(dir, file);
    const fail = (reason: string) => broken.push({ page, line, target, reason });
    if (path === undefined) {
      fail('climbs out of the repository');
      continue;
    }
    if (!ctx.exists(path)) {
      fail(`no such file: ${path}`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!path.endsWith('.md')) {
      fail(`an anchor into a file that is not Markdown: ${path}`);
      continue;
    }
    if (!anchorsOf(path === page ? text : ctx.read(path)).has(anchor)) fail(`no heading or id "${anchor}" in ${path}`);
  }
  return broken;
}
