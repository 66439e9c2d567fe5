import * as fs from 'fs';
import * as path from 'path';

/**
 * Where the page's files come from: read from disk here (web/ beside this
 * module, and uPlot from node_modules); the packaged executable's bundle
 * (deploy/package/bundle.mjs) replaces this module with one that holds the
 * same files as strings, since a single executable has no files beside it.
 */

/** Every file the page needs: `web/NAME` (this folder's web/) or an npm package's file. */
export const ASSET_FILES = [
  'web/index.html',
  'web/app.js',
  'web/app.css',
  'uplot/dist/uPlot.iife.min.js',
  'uplot/dist/uPlot.min.css',
] as const;

export type AssetFile = (typeof ASSET_FILES)[number];

export function readAsset(file: AssetFile): string {
  const full = file.startsWith('web/') ? path.join(__dirname, file) : require.resolve(file);
  return fs.readFileSync(full, 'utf8');
}
