import { readAsset, type AssetFile } from './asset-source';
import type { WebResponse } from '../../web/server';

/** The page's static files by URL path, read once at start; each a whole answer. */

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** Only hostpulse's own scripts and styles: no CDN, nothing from another origin (the page works offline). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export const STATIC_PATHS: Readonly<Record<string, AssetFile>> = {
  '/assets/app.js': 'web/app.js',
  '/assets/app.css': 'web/app.css',
  '/assets/uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  '/assets/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

function typeOf(file: string): string {
  return TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

export function staticAnswers(): Map<string, WebResponse> {
  const out = new Map<string, WebResponse>();
  for (const [urlPath, file] of Object.entries(STATIC_PATHS)) {
    out.set(urlPath, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': typeOf(file), 'Cache-Control': 'no-cache' },
      body: Buffer.from(readAsset(file)),
    });
  }
  return out;
}

/** The one HTML page of every path (the script draws what the path names), with the refresh period in it. */
export function pageAnswer(refreshSeconds: number, prometheusUrl: string): WebResponse {
  const html = readAsset('web/index.html')
    .replace('{{REFRESH}}', String(refreshSeconds))
    .replace('{{PROMETHEUS}}', escapeHtml(prometheusUrl));
  return {
    status: 200,
    headers: { ...SECURITY_HEADERS, 'Content-Type': typeOf('x.html'), 'Cache-Control': 'no-cache' },
    body: Buffer.from(html),
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
