import * as fs from 'fs';
import * as path from 'path';
import { anchorsOf, brokenLinks, githubSlug, linksOf, type LinkContext } from './markdown-links';

const ROOT = path.join(__dirname, '..', '..');

/** README.md and every page under docs/, relative to the repository root. */
function pages(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

const repo: LinkContext = {
  exists: (p) => fs.existsSync(path.join(ROOT, p)),
  read: (p) => fs.readFileSync(path.join(ROOT, p), 'utf8'),
};

describe('GitHub anchors', () => {
  it.each([
    ['Groups and per-pid series', 'groups-and-per-pid-series'],
    [
      "Benchmark: the agent's own cost, beside process-exporter",
      'benchmark-the-agents-own-cost-beside-process-exporter',
    ],
    ['Graphite and statsd: `<host>.<command>.<pid>.rss`', 'graphite-and-statsd-hostcommandpidrss'],
    ['Without Docker: `npm run demo`', 'without-docker-npm-run-demo'],
    ['A fleet of 10,000 hosts, measured', 'a-fleet-of-10000-hosts-measured'],
    ['**Bold** and [a link](x.md) and `snake_case`', 'bold-and-a-link-and-snake_case'],
    ['Per-process detail: PSS, USS, io, fds', 'per-process-detail-pss-uss-io-fds'],
  ])('%s -> #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings, ignores headings in code and takes explicit ids', () => {
    const page = '# Usage\n## Usage\n```sh\n# not a heading\n```\n<a id="custom"></a>\n### Usage\n';
    expect([...anchorsOf(page)].sort()).toEqual(['custom', 'usage', 'usage-1', 'usage-2']);
  });
});

describe('links in a page', () => {
  const ctx: LinkContext = {
    exists: (p) => ['README.md', 'docs/a.md', 'docs/b.md', 'deploy'].includes(p),
    read: (p) => (p === 'docs/b.md' ? '# B\n## Set up\n' : '# A\n'),
  };

  it('finds inline links, images and definitions, not those in code', () => {
    const page = '[a](x.md) ![i](img.png "t") `[c](code.md)`\n```\n[d](fenced.md)\n```\n[ref]: <y.md#z>\n';
    expect(linksOf(page).map((l) => l.target)).toEqual(['x.md', 'img.png', 'y.md#z']);
  });

  it("resolves paths from the page's folder and anchors in the target page", () => {
    const page = [
      '[ok](b.md#set-up) [self](#a) [up](../README.md) [dir](../deploy) [web](https://example.com/#x)',
      '[missing](c.md) [bad anchor](b.md#setup) [self bad](#nope) [out](../../etc/passwd) [not md](../deploy#x)',
    ].join('\n');
    expect(brokenLinks('docs/a.md', `# A\n${page}`, ctx).map((b) => [b.line, b.target])).toEqual([
      [3, 'c.md'],
      [3, 'b.md#setup'],
      [3, '#nope'],
      [3, '../../etc/passwd'],
      [3, '../deploy#x'],
    ]);
  });
});

describe('README.md and docs/', () => {
  it('has pages to check', () => {
    expect(pages().length).toBeGreaterThan(5);
  });

  it.each(pages())('every relative link and anchor in %s resolves', (page) => {
    const text = repo.read(page);
    expect(brokenLinks(page, text, repo)).toEqual([]);
  });
});
