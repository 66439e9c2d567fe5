'use strict';
/**
 * Renders the project's prometheus/prometheus.yml and prometheus/alertmanager.yml for a
 * run on loopback (the demo and the end-to-end tests): the same jobs and rules, with the
 * compose service names replaced by 127.0.0.1 ports and shorter intervals. The rule files
 * themselves are never rewritten; only where they are loaded from.
 *
 *   node deploy/demo/render-config.js prometheus --pushgateway 127.0.0.1:9091 \
 *     --prometheus 127.0.0.1:9090 [--alertmanager 127.0.0.1:9093] [--scrape-interval 5s] \
 *     [--evaluation-interval 5s] [--rules-dir DIR]  > prometheus.yml
 *   node deploy/demo/render-config.js alertmanager --webhook http://127.0.0.1:9095/alerts > alertmanager.yml
 */
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * @param {string} text the project's prometheus.yml
 * @param {{pushgateway: string, prometheus: string, alertmanager?: string, scrapeInterval?: string,
 *          evaluationInterval?: string, ruleFiles?: string[], rulesDir?: string}} opts
 * @returns {string}
 */
function renderPrometheusConfig(text, opts) {
  const cfg = YAML.parse(text);
  cfg.global = cfg.global || {};
  if (opts.scrapeInterval) {
    cfg.global.scrape_interval = opts.scrapeInterval;
    // A timeout may not exceed the interval; the Pushgateway gather is slow, so give it all of it.
    cfg.global.scrape_timeout = opts.scrapeInterval;
  }
  if (opts.evaluationInterval) cfg.global.evaluation_interval = opts.evaluationInterval;

  const targets = { pushgateway: opts.pushgateway, prometheus: opts.prometheus, alertmanager: opts.alertmanager };
  cfg.scrape_configs = (cfg.scrape_configs || []).filter((job) => {
    if (!(job.job_name in targets)) return true;
    const target = targets[job.job_name];
    if (!target) return false; // e.g. no Alertmanager in this run: drop its job
    job.static_configs = [{ targets: [target] }];
    if (opts.scrapeInterval) {
      delete job.scrape_interval;
      delete job.scrape_timeout;
    }
    return true;
  });

  if (opts.alertmanager) {
    cfg.alerting = { alertmanagers: [{ static_configs: [{ targets: [opts.alertmanager] }] }] };
  } else {
    delete cfg.alerting;
  }

  const rulesDir = opts.rulesDir || path.join(ROOT, 'prometheus');
  // Rule paths in the project config are relative to it; make them absolute for a config written elsewhere.
  cfg.rule_files = opts.ruleFiles
    ? opts.ruleFiles.map((f) => path.resolve(f))
    : (cfg.rule_files || []).map((f) => (path.isAbsolute(f) ? f : path.join(rulesDir, f)));
  return YAML.stringify(cfg);
}

/**
 * @param {string} text the project's alertmanager.yml
 * @param {{webhookUrl: string}} opts
 * @returns {string}
 */
function renderAlertmanagerConfig(text, opts) {
  const cfg = YAML.parse(text);
  for (const receiver of cfg.receivers || []) {
    for (const hook of receiver.webhook_configs || []) hook.url = opts.webhookUrl;
  }
  return YAML.stringify(cfg);
}

function parseFlags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!flag.startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument: ${flag}`);
    out[flag.slice(2)] = argv[i + 1];
  }
  return out;
}

function main(argv) {
  const [what, ...rest] = argv;
  const f = parseFlags(rest);
  if (what === 'prometheus') {
    const text = fs.readFileSync(path.join(ROOT, 'prometheus', 'prometheus.yml'), 'utf8');
    return renderPrometheusConfig(text, {
      pushgateway: f.pushgateway,
      prometheus: f.prometheus,
      alertmanager: f.alertmanager,
      scrapeInterval: f['scrape-interval'],
      evaluationInterval: f['evaluation-interval'],
      rulesDir: f['rules-dir'],
    });
  }
  if (what === 'alertmanager') {
    const text = fs.readFileSync(path.join(ROOT, 'prometheus', 'alertmanager.yml'), 'utf8');
    return renderAlertmanagerConfig(text, { webhookUrl: f.webhook });
  }
  throw new Error(`usage: render-config.js prometheus|alertmanager --flag value ...`);
}

if (require.main === module) {
  try {
    process.stdout.write(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`render-config: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}

module.exports = { renderPrometheusConfig, renderAlertmanagerConfig, ROOT };
