#!/usr/bin/env node
'use strict';
/**
 * The demo's Alertmanager receiver: listens on 127.0.0.1:PORT and prints one line
 * per alert in every webhook notification it gets.
 *
 *   node deploy/demo/webhook-printer.js 9095
 */
const http = require('http');

const port = Number(process.argv[2] || '9095');

function lines(payload) {
  return (payload.alerts || []).map((a) => {
    const l = a.labels || {};
    const summary = (a.annotations && a.annotations.summary) || '';
    return `alert ${String(a.status).toUpperCase()} ${l.alertname} [${l.severity || '-'}] ${l.instance || ''}: ${summary}`;
  });
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let payload;
    try {
      payload = JSON.parse(body);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      res.writeHead(400).end('not JSON\n');
      return;
    }
    for (const line of lines(payload)) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    res.writeHead(200).end();
  });
});
server.on('error', (e) => {
  process.stderr.write(`webhook-printer: ${e.message}\n`);
  process.exit(1);
});
server.listen(port, '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
