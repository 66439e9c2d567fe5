/* The page of `hostpulse fleet serve`: one script for every path. It asks the
 * server's JSON endpoint for the path, draws tables and uPlot charts, and asks
 * again every data-refresh seconds. When an answer fails, the page says why in
 * the banner and shows no numbers or charts until an answer succeeds again:
 * an empty chart must never pass for a quiet fleet. No framework, no build. */
/* global uPlot */
(function () {
  'use strict';

  var REFRESH = Number(document.body.getAttribute('data-refresh')) || 15;
  var main = document.getElementById('main');
  var banner = document.getElementById('banner');
  var updated = document.getElementById('updated');
  var COLORS = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
  ];
  /** The host line drawn over stacked groups. */
  var HOST_COLOR = '#263238';
  /** Stacked charts show this many series; the rest are summed as "other". */
  var MAX_STACKED = 8;
  var charts = [];
  var observer = null;

  // --- small helpers ------------------------------------------------------

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'className') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function bytes(v) {
    if (v === null || v === undefined) return '-';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
  }

  function pct(v) {
    return v === null || v === undefined ? '-' : v.toFixed(1) + '%';
  }

  function num(v) {
    return v === null || v === undefined ? '-' : String(v);
  }

  function age(s) {
    if (s === null || s === undefined) return '-';
    if (s < 120) return Math.round(s) + 's ago';
    if (s < 7200) return Math.floor(s / 60) + 'm ago';
    if (s < 172800) return Math.floor(s / 3600) + 'h ago';
    return Math.floor(s / 86400) + 'd ago';
  }

  function hostLink(instance) {
    return el('a', { href: '/host/' + encodeURIComponent(instance), 'data-instance': instance, text: instance });
  }

  function groupLink(name) {
    return el('a', { href: '/group/' + encodeURIComponent(name), text: name });
  }

  function statusBadge(status, reasons) {
    return el('span', {
      className: 'status ' + status,
      'data-status': status,
      title: (reasons || []).join('; '),
      text: status,
    });
  }

  function table(headers, rows, attrs) {
    var head = el(
      'tr',
      {},
      headers.map(function (h) {
        return el('th', { text: h });
      }),
    );
    return el('table', attrs || {}, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  }

  function td(content, cls) {
    return el('td', cls ? { className: cls } : {}, [content]);
  }

  function hasValue(values) {
    for (var i = 0; i < values.length; i++) if (values[i] !== null) return true;
    return false;
  }

  // --- charts -------------------------------------------------------------

  /** A message in place of a chart that has nothing to draw: never an empty frame. */
  function noData(box, text) {
    box.appendChild(el('div', { className: 'nodata', 'data-nodata': '1', text: text }));
  }

  /** Keeps the first MAX_STACKED series by last value; sums the rest as "other". */
  function topSeries(series) {
    var last = function (s) {
      for (var i = s.values.length - 1; i >= 0; i--) if (s.values[i] !== null) return s.values[i];
      return 0;
    };
    var sorted = series
      .filter(function (s) {
        return hasValue(s.values);
      })
      .sort(function (a, b) {
        return last(b) - last(a);
      });
    if (sorted.length <= MAX_STACKED) return sorted;
    var rest = sorted.slice(MAX_STACKED - 1);
    var other = rest[0].values.map(function (_, i) {
      var sum = null;
      rest.forEach(function (s) {
        if (s.values[i] !== null) sum = (sum || 0) + s.values[i];
      });
      return sum;
    });
    return sorted.slice(0, MAX_STACKED - 1).concat([{ name: 'other (' + rest.length + ')', values: other }]);
  }

  /**
   * A time chart in `box`. lines: [{name, values}] drawn as lines; stacked:
   * [{name, values}] drawn as stacked areas under them; fmt formats the y axis.
   */
  function timeChart(box, title, times, lines, stacked, fmt, opts) {
    opts = opts || {};
    box.appendChild(el('h3', { text: title }));
    var all = lines.concat(stacked);
    if (
      !all.some(function (s) {
        return hasValue(s.values);
      })
    ) {
      noData(box, opts.empty || 'No samples in this range.');
      return;
    }
    var data = [times];
    var series = [{}];
    var bands = [];
    lines.forEach(function (s, i) {
      data.push(s.values);
      series.push({
        label: s.name,
        stroke: i === 0 && stacked.length > 0 ? HOST_COLOR : COLORS[i % COLORS.length],
        width: 2,
        value: function (u, v) {
          return v === null ? '-' : fmt(v);
        },
      });
    });
    // Stacked: each series drawn as the running sum. Areas are filled down to the one before
    // (bands); bars are drawn tallest first, so each shorter one covers its part.
    var acc = times.map(function () {
      return 0;
    });
    var layers = stacked.map(function (s, i) {
      acc = acc.map(function (a, j) {
        return a + (s.values[j] || 0);
      });
      var cum = acc.map(function (a, j) {
        return s.values[j] === null && a === 0 ? null : a;
      });
      return { name: s.name, raw: s.values, cum: cum, color: COLORS[i % COLORS.length] };
    });
    if (opts.bars) layers.reverse();
    layers.forEach(function (l, i) {
      data.push(l.cum);
      series.push({
        label: l.name,
        stroke: l.color,
        fill: opts.bars ? l.color : l.color + '55',
        width: 1,
        paths: opts.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined,
        points: { show: !opts.bars },
        value: function (u, v, si, di) {
          return di === null || l.raw[di] === null ? '-' : fmt(l.raw[di]);
        },
      });
      if (i > 0 && !opts.bars) bands.push({ series: [data.length - 1, data.length - 2] });
    });
    var width = Math.max(300, box.clientWidth - 10);
    var u = new uPlot(
      {
        width: width,
        height: opts.height || 220,
        series: series,
        bands: bands,
        axes: [
          {},
          {
            values: function (u, vals) {
              return vals.map(fmt);
            },
            size: 90,
          },
        ],
        scales: {
          y: {
            range: function (u, min, max) {
              return [0, max > 0 ? max * 1.05 : 1];
            },
          },
        },
        legend: { show: true },
      },
      data,
      box,
    );
    charts.push(u);
  }

  /** OOM kills per hour, stacked by host. */
  function oomTimeline(box, tl) {
    var count = function (v) {
      return String(Math.round(v));
    };
    timeChart(box, 'OOM kills per hour, last 24 h, by host', tl.times, [], topSeries(tl.series), count, {
      height: 180,
      bars: true,
      empty: 'No OOM kills in the last 24 h.',
    });
  }

  /** A 120x28 line without axes; drawn when it scrolls into view (200 hosts: 400 of them). */
  function sparkline(values, times, color, max) {
    var box = el('span', { className: 'spark' });
    if (!hasValue(values)) {
      box.textContent = 'no data';
      box.className = 'spark muted';
      return box;
    }
    box.hostpulseDraw = function () {
      var u = new uPlot(
        {
          width: 120,
          height: 28,
          pxAlign: false,
          cursor: { show: false },
          legend: { show: false },
          select: { show: false },
          axes: [{ show: false }, { show: false }],
          scales: { x: { time: false }, y: { range: [0, max] } },
          series: [{}, { stroke: color, width: 1.5, fill: color + '33' }],
        },
        [times, values],
        box,
      );
      charts.push(u);
    };
    observer.observe(box);
    return box;
  }

  // --- pages --------------------------------------------------------------

  function renderFleet(d) {
    document.title = 'hostpulse fleet: ' + d.hosts.length + ' hosts';
    var counts = el(
      'div',
      { className: 'counts' },
      ['stale', 'unhealthy', 'ok'].map(function (s) {
        return el('span', { className: 'count ' + s, 'data-count': s, text: d.counts[s] + ' ' + s });
      }),
    );
    main.appendChild(el('h1', { text: 'Fleet: ' + d.hosts.length + ' host' + (d.hosts.length === 1 ? '' : 's') }));
    main.appendChild(counts);
    var tlBox = el('div', { className: 'chart', id: 'oom-timeline' });
    main.appendChild(tlBox);
    oomTimeline(tlBox, d.oom_timeline);
    var cpu = {};
    d.cpu.series.forEach(function (s) {
      cpu[s.name] = s.values;
    });
    var mem = {};
    d.memory.series.forEach(function (s) {
      mem[s.name] = s.values;
    });
    var none = d.cpu.times.map(function () {
      return null;
    });
    var rows = d.hosts.map(function (h) {
      return el('tr', { 'data-instance': h.instance }, [
        td(hostLink(h.instance)),
        td(statusBadge(h.status, h.reasons)),
        el('td', { className: 'num' }, [
          pct(h.cpu_percent),
          sparkline(cpu[h.instance] || none, d.cpu.times, '#1f77b4', 100),
        ]),
        el('td', { className: 'num' }, [
          pct(h.memory_percent),
          sparkline(mem[h.instance] || none, d.memory.times, '#9467bd', 100),
        ]),
        td(num(h.oom_kills_1h), 'num'),
        td(age(h.last_push_age_seconds), 'num'),
        td(h.reasons.join('; '), 'reasons'),
      ]);
    });
    main.appendChild(el('h2', { text: 'Hosts, worst first' }));
    if (rows.length === 0)
      main.appendChild(el('p', { className: 'error', text: 'No host reports to this Prometheus.' }));
    else
      main.appendChild(
        table(['Host', 'Status', 'CPU (last hour)', 'Memory (last hour)', 'OOM kills 1h', 'Last push', 'Why'], rows, {
          id: 'hosts',
        }),
      );
  }

  function renderHost(d) {
    var h = d.host;
    document.title = 'hostpulse: ' + d.instance;
    main.appendChild(el('h1', {}, [d.instance + ' ', statusBadge(h.status, h.reasons)]));
    main.appendChild(
      el('p', {}, [
        'CPU ' +
          pct(h.cpu_percent) +
          ' · memory ' +
          pct(h.memory_percent) +
          ' · OOM kills in the last hour ' +
          num(h.oom_kills_1h) +
          ' · last push ',
        el('span', { id: 'last-push', text: age(h.last_push_age_seconds) }),
        h.reasons.length ? el('span', { className: 'reasons', text: ' · ' + h.reasons.join('; ') }) : null,
      ]),
    );
    var grid = el('div', { className: 'charts' });
    main.appendChild(grid);
    var memBox = el('div', { className: 'chart', id: 'memory-chart' });
    var cpuBox = el('div', { className: 'chart', id: 'cpu-chart' });
    grid.appendChild(memBox);
    grid.appendChild(cpuBox);
    var hostLine = function (c) {
      return c.series
        .filter(function (s) {
          return s.name === 'host';
        })
        .map(function (s) {
          return { name: 'host used', values: s.values };
        });
    };
    timeChart(
      memBox,
      'Memory: host used, RSS stacked by group',
      d.memory.times,
      hostLine(d.memory),
      topSeries(d.memory_groups.series),
      bytes,
    );
    timeChart(
      cpuBox,
      'CPU (CPUs busy): host, stacked by group',
      d.cpu.times,
      hostLine(d.cpu),
      topSeries(d.cpu_groups.series),
      function (v) {
        return v.toFixed(2);
      },
    );

    main.appendChild(el('h2', { text: 'Top processes now (fleet top --host ' + d.instance + ')' }));
    if (d.processes.length === 0)
      main.appendChild(el('p', { className: 'muted', text: 'No per-process series for this host.' }));
    else
      main.appendChild(
        table(
          ['PID', 'Command', 'RSS', 'CPU %'],
          d.processes.map(function (p) {
            return el('tr', { 'data-pid': String(p.pid) }, [
              td(String(p.pid), 'num'),
              td(p.comm),
              td(bytes(p.rss_bytes), 'num'),
              td(pct(p.cpu_percent), 'num'),
            ]);
          }),
          { id: 'processes' },
        ),
      );

    main.appendChild(el('h2', { text: 'OOM victims, last 24 h' }));
    if (d.ooms.victims.length === 0)
      main.appendChild(el('p', { className: 'muted', text: 'No OOM victims recorded in the last 24 h.' }));
    else
      main.appendChild(
        table(
          ['Command', 'Constraint', 'Kills', 'RSS when killed'],
          d.ooms.victims.map(function (v) {
            return el('tr', {}, [
              td(v.comm),
              td(v.constraint),
              td(String(v.kills), 'num'),
              td(bytes(v.last_rss_bytes), 'num'),
            ]);
          }),
          { id: 'host-ooms' },
        ),
      );
    if (d.ooms.cgroups.length > 0)
      main.appendChild(
        table(
          ['Memory cgroup', 'OOM kills'],
          d.ooms.cgroups.map(function (c) {
            return el('tr', {}, [td(c.cgroup), td(String(c.kills), 'num')]);
          }),
          { id: 'host-oom-cgroups' },
        ),
      );

    main.appendChild(el('h2', { text: 'Collectors' }));
    if (d.collectors.length === 0)
      main.appendChild(el('p', { className: 'muted', text: 'This agent reports no collector health.' }));
    else
      main.appendChild(
        table(
          ['Collector', 'Last cycle', 'Failed cycles'],
          d.collectors.map(function (c) {
            return el('tr', {}, [
              td(c.collector),
              td(c.ok === null ? '-' : c.ok ? 'ok' : 'FAILED', c.ok === false ? 'error' : ''),
              td(num(c.failures), 'num'),
            ]);
          }),
          { id: 'collectors' },
        ),
      );
    main.appendChild(el('h2', { text: 'Groups on this host' }));
    var groups = d.memory_groups.series.map(function (s) {
      return s.name;
    });
    main.appendChild(
      el(
        'p',
        {},
        groups.length
          ? groups.map(function (g) {
              return el('span', {}, [groupLink(g), ' ']);
            })
          : ['-'],
      ),
    );
  }

  function renderGroup(d) {
    document.title = 'hostpulse group: ' + d.group;
    var healthy = d.hosts.filter(function (r) {
      return r.status === 'ok';
    }).length;
    main.appendChild(el('h1', { text: 'Group ' + d.group }));
    main.appendChild(
      el('p', { className: 'muted', text: 'on ' + d.hosts.length + ' hosts (' + healthy + ' healthy); ' + d.grouping }),
    );
    var box = el('div', { className: 'chart', id: 'group-rss-chart' });
    main.appendChild(box);
    timeChart(box, 'RSS of ' + d.group + ' per host', d.rss.times, topSeries(d.rss.series), [], bytes);
    main.appendChild(
      table(
        ['Host', 'Status', 'Grouped by', 'Processes', 'RSS', 'CPU % (of one CPU)'],
        d.hosts.map(function (r) {
          return el('tr', { 'data-instance': r.instance }, [
            td(hostLink(r.instance)),
            td(statusBadge(r.status, r.reasons)),
            td(r.group_by || '-'),
            td(num(r.processes), 'num'),
            td(bytes(r.rss_bytes), 'num'),
            td(pct(r.cpu_percent), 'num'),
          ]);
        }),
        { id: 'group-hosts' },
      ),
    );
  }

  function renderOoms(d) {
    document.title = 'hostpulse: OOM kills';
    main.appendChild(el('h1', { text: 'OOM kills in the last ' + d.since }));
    main.appendChild(
      el(
        'p',
        {},
        ['Window: '].concat(
          ['1h', '6h', '24h', '7d'].map(function (w) {
            return el('span', {}, [el('a', { href: '/ooms?since=' + w, text: w }), ' ']);
          }),
        ),
      ),
    );
    var box = el('div', { className: 'chart', id: 'oom-timeline' });
    main.appendChild(box);
    oomTimeline(box, d.oom_timeline);
    if (d.hosts.length === 0) {
      main.appendChild(el('p', { id: 'no-ooms', text: 'No OOM kills in the last ' + d.since + '.' }));
      return;
    }
    var rows = [];
    d.hosts.forEach(function (h) {
      var victims = h.victims.length ? h.victims : [null];
      victims.forEach(function (v, i) {
        rows.push(
          el('tr', { 'data-instance': h.instance }, [
            td(i === 0 ? hostLink(h.instance) : ''),
            td(i === 0 ? String(h.kills) : '', 'num'),
            td(v ? v.comm : '(no victim recorded)'),
            td(v ? v.constraint : ''),
            td(v ? String(v.kills) : '', 'num'),
            td(v ? bytes(v.last_rss_bytes) : '', 'num'),
          ]),
        );
      });
    });
    main.appendChild(
      table(['Host', 'Kills', 'Victim', 'Constraint', 'Victim kills', 'RSS when killed'], rows, { id: 'ooms' }),
    );
  }

  // --- routing and refresh ------------------------------------------------

  function route() {
    var p = location.pathname;
    var m;
    if (p === '/') return { api: '/api/fleet', render: renderFleet };
    if (p === '/ooms') {
      var since = new URLSearchParams(location.search).get('since');
      return { api: '/api/ooms' + (since ? '?since=' + encodeURIComponent(since) : ''), render: renderOoms };
    }
    if ((m = /^\/host\/(.+)$/.exec(p)))
      return { api: '/api/host?instance=' + encodeURIComponent(decodeURIComponent(m[1])), render: renderHost };
    if ((m = /^\/group\/(.+)$/.exec(p)))
      return { api: '/api/group?name=' + encodeURIComponent(decodeURIComponent(m[1])), render: renderGroup };
    return undefined;
  }

  function clear() {
    charts.forEach(function (u) {
      u.destroy();
    });
    charts = [];
    if (observer) observer.disconnect();
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting && e.target.hostpulseDraw) {
          var draw = e.target.hostpulseDraw;
          e.target.hostpulseDraw = null;
          observer.unobserve(e.target);
          draw();
        }
      });
    });
    main.textContent = '';
  }

  function showError(message) {
    clear();
    banner.hidden = false;
    banner.textContent = message + ' (trying again every ' + REFRESH + ' s)';
    main.appendChild(el('p', { className: 'error', id: 'error', text: 'No data shown: ' + message }));
    document.body.setAttribute('data-state', 'error');
  }

  var r = route();
  var loads = 0;

  function load() {
    fetch(r.api, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        return res.text().then(function (text) {
          var body;
          try {
            body = JSON.parse(text);
          } catch (e) {
            throw new Error('hostpulse fleet serve answered HTTP ' + res.status + ' without data');
          }
          if (!res.ok) throw new Error(body.error || 'HTTP ' + res.status);
          return body;
        });
      })
      .then(function (body) {
        var y = window.scrollY;
        clear();
        banner.hidden = true;
        r.render(body);
        window.scrollTo(0, y);
        loads++;
        updated.textContent =
          'updated ' +
          new Date().toLocaleTimeString() +
          ' · ' +
          body.prometheus_queries +
          ' queries · every ' +
          REFRESH +
          ' s';
        document.body.setAttribute('data-state', 'ok');
        document.body.setAttribute('data-loads', String(loads));
      })
      .catch(function (err) {
        // fetch() itself failed: the server is gone, not Prometheus.
        var msg = err instanceof TypeError ? 'cannot reach hostpulse fleet serve: ' + err.message : err.message;
        showError(msg);
      })
      .then(function () {
        setTimeout(load, REFRESH * 1000);
      });
  }

  if (r === undefined) {
    main.appendChild(
      el('p', { className: 'error', text: 'No such page. See ' }, [el('a', { href: '/', text: 'the fleet' })]),
    );
  } else {
    load();
  }
})();
