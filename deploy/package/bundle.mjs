// Bundles the built CLI (dist/agent/cli/main.js) and its production dependencies into
// one CommonJS file for Node's single executable applications: inside an SEA, require()
// reaches only Node's built-in modules, so everything else must be in this file.
//   node deploy/package/bundle.mjs <out.js> <version>
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const [out, version] = process.argv.slice(2);
if (!out || !version) {
  console.error('usage: bundle.mjs <out.js> <version>');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '../..');

// agent/version.ts reads package.json beside the code, which is not there at run time in a
// single file: replace it with its version alone, so the bundle carries the version
// (and not the whole manifest) and a test can build a package with a bumped one.
const inlineVersion = {
  name: 'inline-version',
  setup(build) {
    build.onResolve({ filter: /(^|\/)package\.json$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path),
      namespace: 'hostpulse-version',
    }));
    build.onLoad({ filter: /.*/, namespace: 'hostpulse-version' }, () => ({
      contents: JSON.stringify({ version }),
      loader: 'json',
    }));
  },
};

// `fleet serve`'s page (HTML, script, styles, uPlot) is read from files beside the code, which a
// single executable does not have: agent/fleet/serve/asset-source.js is replaced by a module that
// holds every file it lists, read now by that module itself, as strings.
const assetSource = path.join(root, 'dist/agent/fleet/serve/asset-source.js');
const embedAssets = {
  name: 'embed-assets',
  setup(build) {
    build.onLoad({ filter: /[\\/]agent[\\/]fleet[\\/]serve[\\/]asset-source\.js$/ }, (args) => {
      const source = createRequire(import.meta.url)(args.path);
      const files = Object.fromEntries(source.ASSET_FILES.map((f) => [f, source.readAsset(f)]));
      return {
        contents:
          `const files = ${JSON.stringify(files)};\n` +
          `exports.ASSET_FILES = Object.keys(files);\n` +
          `exports.readAsset = (file) => { if (!(file in files)) throw new Error('no asset ' + file); return files[file]; };\n`,
        loader: 'js',
      };
    });
  },
};
if (!(await import('node:fs')).existsSync(assetSource)) {
  console.error(`bundle: ${assetSource} is missing (npm run build first)`);
  process.exit(1);
}

const result = await esbuild.build({
  entryPoints: [path.join(root, 'dist/agent/cli/main.js')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The shebang of main.js is meaningless inside the executable.
  banner: { js: '' },
  legalComments: 'linked',
  // Whitespace, comments and redundant syntax out, identifiers kept (names stay readable in
  // stack traces that reach the journal): V8 holds the file's whole source in its heap for the
  // process's life, so 2.5 MB of source becomes 1.6 MB and the daemon's RSS 4-6 MB less
  // (docs/benchmark.md).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [inlineVersion, embedAssets],
});
// A require() esbuild could not follow (a non-literal name) would fail only at run time, inside the
// executable: refuse any warning here instead.
if (result.warnings.length > 0) {
  console.error(`bundle: ${result.warnings.length} warning(s), refusing`);
  process.exit(1);
}
const inputs = Object.keys(result.metafile.inputs);
const packages = [...new Set(inputs.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))];
console.log(`bundle: ${inputs.length} files, packages: ${packages.sort().join(' ')}`);
