// The status web page (/web/): plain HTML, CSS and a script that polls the JSON endpoints and redraws.
// Kept as strings in a module so the page ships inside dist/ with no build step and no asset copying.
// The script never uses innerHTML with data: table names and error messages come from the dump and the
// server, so everything is set through textContent.

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TiDB Lightning</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="style.css">
</head>
<body>
<header>
  <h1>TiDB Lightning</h1>
  <span id="task-state" class="pill">idle</span>
  <span id="paused" class="pill warn" hidden>paused</span>
  <span class="spacer"></span>
  <button id="pause" type="button" title="pause the import between batches">&#x2759;&#x2759; Pause</button>
  <button id="resume" type="button" title="resume the import">&#x25B6; Resume</button>
</header>
<main>
  <section class="card" id="summary">
    <div class="row">
      <div>
        <div class="label">task</div><div id="task-id" class="value">-</div>
        <div id="task-source" class="muted"></div>
      </div>
      <div class="big"><span id="total-percent">0.0%</span><div id="state" class="muted">-</div></div>
    </div>
    <div class="bar"><div id="total-bar"></div></div>
    <dl class="figures">
      <div><dt>tables</dt><dd id="tables-count">-</dd></div>
      <div><dt>chunks</dt><dd id="chunks-count">-</dd></div>
      <div><dt>engines</dt><dd id="engines-count">-</dd></div>
      <div><dt>restored</dt><dd id="bytes">-</dd></div>
      <div><dt>rows</dt><dd id="rows">-</dd></div>
      <div><dt>speed</dt><dd id="speed">-</dd></div>
      <div><dt>remaining</dt><dd id="eta">-</dd></div>
      <div><dt>phase</dt><dd id="phase">-</dd></div>
    </dl>
  </section>
  <section class="card" id="errors-card" hidden>
    <h2>&#x26A0; Errors</h2>
    <ul id="errors"></ul>
  </section>
  <section class="card">
    <h2>Tables</h2>
    <table id="tables">
      <thead><tr><th>table</th><th>checkpoint</th><th>chunks</th><th>engines</th><th>restored</th><th>rows</th><th>progress</th><th>error</th></tr></thead>
      <tbody></tbody>
    </table>
    <div id="detail" hidden>
      <h3 id="detail-title"></h3>
      <table id="detail-table">
        <thead><tr><th>engine</th><th>status</th><th>file</th><th>offset</th><th>position</th><th>end</th><th>rows</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>
  <section class="card" id="queue-card">
    <h2>Tasks</h2>
    <table id="queue">
      <thead><tr><th>id</th><th>state</th><th>source</th><th>error</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <form id="submit" hidden>
      <label for="task-toml">submit a task (TOML, layered over the server's config)</label>
      <textarea id="task-toml" rows="6" spellcheck="false">[mydumper]
data-source-dir = "/data"
</textarea>
      <button type="submit">Submit</button>
      <div id="submit-result" class="muted"></div>
    </form>
  </section>
</main>
<footer class="muted">updated <span id="updated">never</span> &middot; <a href="/metrics">metrics</a> &middot; <a href="/progress/task">progress JSON</a></footer>
<script src="app.js"></script>
</body>
</html>
`;

export const STYLE_CSS = `
:root { --fg: #1d2330; --muted: #6b7385; --bg: #f4f6fa; --card: #fff; --accent: #2f6fed; --ok: #1f9d55; --bad: #d64545; --warn: #c98a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: .6rem; padding: .7rem 1.2rem; background: #1d2330; color: #fff; }
header h1 { font-size: 1.1rem; margin: 0 .6rem 0 0; }
.spacer { flex: 1; }
button { font: inherit; border: 1px solid #c5cbd8; background: #fff; border-radius: 4px; padding: .25rem .7rem; cursor: pointer; }
header button { background: #2b3447; color: #fff; border-color: #46506a; }
.pill { padding: .1rem .55rem; border-radius: 999px; background: #46506a; font-size: .8rem; }
.pill.running { background: var(--accent); } .pill.completed { background: var(--ok); } .pill.failed, .pill.cancelled { background: var(--bad); }
.pill.warn { background: var(--warn); }
main { padding: 1rem 1.2rem; display: grid; gap: 1rem; }
.card { background: var(--card); border-radius: 6px; padding: .9rem 1.1rem; box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-x: auto; }
.card h2 { font-size: 1rem; margin: 0 0 .6rem; }
.row { display: flex; justify-content: space-between; align-items: flex-end; }
.label, dt { color: var(--muted); font-size: .8rem; }
.value { font-weight: 600; font-variant-numeric: tabular-nums; }
.big { text-align: right; } .big span { font-size: 2rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.bar { height: 10px; background: #e3e7f0; border-radius: 5px; margin: .6rem 0; overflow: hidden; }
.bar div { height: 100%; width: 0; background: var(--accent); transition: width .3s; }
.bar.done div { background: var(--ok); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: .4rem 1rem; margin: 0; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #edf0f5; white-space: nowrap; }
td.err { color: var(--bad); white-space: normal; }
#tables tbody tr { cursor: pointer; } #tables tbody tr:hover { background: #f0f4ff; }
.mini { display: inline-block; width: 80px; height: 6px; background: #e3e7f0; border-radius: 3px; vertical-align: middle; margin-right: .4rem; }
.mini i { display: block; height: 100%; background: var(--accent); border-radius: 3px; }
#errors li { color: var(--bad); margin-bottom: .3rem; white-space: pre-wrap; }
textarea { width: 100%; font: 13px monospace; margin: .3rem 0; }
.muted { color: var(--muted); }
footer { padding: 0 1.2rem 1rem; font-size: .8rem; }
`;

export const APP_JS = `'use strict';
(function () {
  var params = new URLSearchParams(location.search);
  var interval = Math.max(200, Number(params.get('interval')) || 1000);
  var selected = null;
  var running = false;
  var $ = function (id) { return document.getElementById(id); };

  function bytes(n) {
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    var i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(2) : String(n)) + ' ' + u[i];
  }
  function duration(ms) {
    if (ms === undefined || ms === null) return '-';
    var s = Math.round(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + 'h' : '') + (h || m ? m + 'm' : '') + (s % 60) + 's';
  }
  function pct(done, total) { return total > 0 ? Math.min(100, (done / total) * 100) : 0; }
  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function getJson(url, opts) {
    return fetch(url, Object.assign({ cache: 'no-store' }, opts || {})).then(function (r) {
      return r.text().then(function (t) {
        var body = null;
        try { body = t ? JSON.parse(t) : null; } catch (e) { body = { error: t }; }
        if (!r.ok) { var err = new Error((body && body.error) || r.statusText); err.body = body; throw err; }
        return body;
      });
    });
  }

  function renderProgress(p) {
    var task = p.task || null;
    var state = task ? task.state : 'idle';
    running = state === 'running';
    var pill = $('task-state');
    pill.textContent = state;
    pill.className = 'pill ' + state;
    $('paused').hidden = !p.paused;
    $('task-id').textContent = task ? String(task.id) : '-';
    $('task-source').textContent = task ? task.dataSourceDir + ' \\u2192 ' + task.backend + ' backend' : 'no task yet';
    var percent = typeof p.percent === 'number' ? p.percent : 0;
    $('total-percent').textContent = percent.toFixed(1) + '%';
    $('total-bar').style.width = percent + '%';
    $('total-bar').parentNode.className = percent >= 100 ? 'bar done' : 'bar';
    $('state').textContent = p.state || '-';
    $('tables-count').textContent = (p.tablesDone || 0) + ' / ' + (p.tablesTotal || 0);
    $('chunks-count').textContent = (p.chunksDone || 0) + ' / ' + (p.chunksTotal || 0);
    $('engines-count').textContent = (p.enginesDone || 0) + ' / ' + (p.enginesTotal || 0);
    $('bytes').textContent = bytes(p.bytesDone || 0) + ' / ' + bytes(p.bytesTotal || 0);
    $('rows').textContent = String(p.rows || 0);
    $('speed').textContent = ((p.speed || 0) / 1048576).toFixed(2) + ' MiB/s';
    $('eta').textContent = percent >= 100 ? '-' : duration(p.etaMs);
    $('phase').textContent = p.phase || '-';

    var errors = [];
    if (task && task.error) errors.push('task ' + task.id + ': [' + task.error.code + '] ' + task.error.message);
    var body = $('tables').tBodies[0];
    body.textContent = '';
    (p.tables || []).forEach(function (t) {
      var tr = document.createElement('tr');
      tr.dataset.table = t.name;
      cell(tr, t.name);
      cell(tr, t.status);
      cell(tr, t.chunksDone + ' / ' + t.chunksTotal);
      cell(tr, t.enginesDone + ' / ' + t.enginesTotal);
      cell(tr, bytes(t.bytesDone) + ' / ' + bytes(t.bytesTotal));
      cell(tr, String(t.rows));
      var td = cell(tr, '');
      var mini = document.createElement('span');
      mini.className = 'mini';
      var fill = document.createElement('i');
      var tp = t.status === 'done' ? 100 : pct(t.bytesDone, t.bytesTotal);
      fill.style.width = tp + '%';
      mini.appendChild(fill);
      td.appendChild(mini);
      td.appendChild(document.createTextNode(tp.toFixed(1) + '%'));
      cell(tr, t.error || '', 'err');
      if (t.error) errors.push(t.name + ': ' + t.error);
      tr.addEventListener('click', function () { selected = t.name; loadDetail(); });
      body.appendChild(tr);
    });
    var list = $('errors');
    list.textContent = '';
    errors.forEach(function (e) { var li = document.createElement('li'); li.textContent = e; list.appendChild(li); });
    $('errors-card').hidden = errors.length === 0;
  }

  function renderTasks(t) {
    $('submit').hidden = !t.serverMode;
    var body = $('queue').tBodies[0];
    body.textContent = '';
    (t.tasks || []).forEach(function (task) {
      var tr = document.createElement('tr');
      tr.dataset.task = String(task.id);
      cell(tr, String(task.id));
      cell(tr, task.state);
      cell(tr, task.dataSourceDir);
      cell(tr, task.error ? '[' + task.error.code + '] ' + task.error.message : '', 'err');
      var td = cell(tr, '');
      function action(label, method, url) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = label;
        b.addEventListener('click', function () { getJson(url, { method: method }).then(refresh, showError); });
        td.appendChild(b);
      }
      if (task.state === 'queued') {
        action('front', 'PATCH', '/tasks/' + task.id + '/front');
        action('back', 'PATCH', '/tasks/' + task.id + '/back');
      }
      if (task.state === 'queued' || task.state === 'running') action('cancel', 'DELETE', '/tasks/' + task.id);
      body.appendChild(tr);
    });
  }

  function loadDetail() {
    if (!selected) return;
    getJson('/progress/table?t=' + encodeURIComponent(selected)).then(function (cp) {
      $('detail').hidden = false;
      $('detail-title').textContent = selected + ' \\u2014 checkpoint ' + cp.StatusName +
        (cp.Stale ? ' (as last read while the task ran; its checkpoint is closed now)' : '');
      var body = $('detail-table').tBodies[0];
      body.textContent = '';
      Object.keys(cp.Engines).forEach(function (id) {
        var e = cp.Engines[id];
        var chunks = e.Chunks.length ? e.Chunks : [null];
        chunks.forEach(function (c) {
          var tr = document.createElement('tr');
          cell(tr, id);
          cell(tr, e.StatusName);
          cell(tr, c ? c.Key.Path : '');
          cell(tr, c ? String(c.Key.Offset) : '');
          cell(tr, c ? String(c.Chunk.Offset) : '');
          cell(tr, c ? String(c.Chunk.EndOffset) : '');
          cell(tr, c ? String(c.Checksum.kvs) : '');
          body.appendChild(tr);
        });
      });
    }, function (e) {
      $('detail').hidden = false;
      $('detail-title').textContent = selected + ': ' + e.message;
    });
  }

  function showError(e) { $('submit-result').textContent = e.message; }

  function refresh() {
    return Promise.all([getJson('/progress/task'), getJson('/tasks')]).then(function (r) {
      renderProgress(r[0]);
      renderTasks(r[1]);
      $('updated').textContent = new Date().toLocaleTimeString();
      document.body.dataset.ready = '1';
    }, function (e) { $('updated').textContent = 'error: ' + e.message; });
  }

  $('pause').addEventListener('click', function () { getJson('/pause', { method: 'PUT' }).then(refresh); });
  $('resume').addEventListener('click', function () { getJson('/resume', { method: 'PUT' }).then(refresh); });
  $('submit').addEventListener('submit', function (ev) {
    ev.preventDefault();
    getJson('/tasks', { method: 'POST', body: $('task-toml').value }).then(function (r) {
      $('submit-result').textContent = 'queued task ' + r.id;
      refresh();
    }, function (e) {
      var b = e.body || {};
      $('submit-result').textContent = (b.code ? '[' + b.code + '] ' : '') + e.message;
    });
  });

  // The detail follows a running task; once it ended its checkpoint no longer changes.
  function loop() {
    refresh().then(function () {
      if (selected && running) loadDetail();
      setTimeout(loop, interval);
    });
  }
  loop();
})();
`;
