/* dbt-monitor report: the Lineage section, drawn as SVG from the embedded JSON.
 * Static file (not a template), inlined once and allowed by its CSP hash.
 * The layout (each node's column and its order in the column) was computed in
 * Python (monitor/analysis/lineage_graph.py); this script only places the
 * nodes it shows, draws them and handles overlays, search, focus, pan and zoom.
 * Every string from dbt artifacts reaches the page through textContent only. */
(function () {
  "use strict";

  var source = document.getElementById("report-data");
  var host = document.querySelector("[data-lineage]");
  if (!source || !host) { return; }
  var D = JSON.parse(source.textContent)[host.getAttribute("data-lineage")];
  if (!D) { return; }
  var section = host.closest("section") || document;
  var SVGNS = "http://www.w3.org/2000/svg";
  var W = 184, H = 28, GAPX = 64, GAPY = 12, PAD = 16;
  var N = D.u.length;
  var EXPOSURE = D.types.indexOf("exposure");
  var names = D.u.map(nameOf);
  var parents = [], children = [];
  var i;
  for (i = 0; i < N; i++) { parents.push([]); children.push([]); }
  for (i = 0; i < D.e.length; i += 2) { children[D.e[i]].push(D.e[i + 1]); parents[D.e[i + 1]].push(D.e[i]); }
  var onCritical = {};
  D.critical.forEach(function (n) { onCritical[n] = true; });
  var maxSeconds = 0;
  D.d.forEach(function (s) { if (s !== null && s > maxSeconds) { maxSeconds = s; } });

  var state = {
    view: D.overview ? "overview" : "all", group: null, focus: null,
    hl: null, causes: null, found: null, overlay: "status",
  };
  var zoom = { k: 1, x: 0, y: 0 };
  var svg = el("svg", { "class": "lineage-svg", width: "100%", height: "100%" });
  var viewport = el("g", { "class": "viewport" });
  svg.appendChild(viewport);
  host.appendChild(svg);

  /* The same short names as monitor.analysis.words.name_of. */
  function nameOf(uid) {
    var parts = uid.split(".");
    if (parts[0] === "source" && parts.length >= 4) { return parts.slice(2).join("."); }
    if (parts[0] === "test" && parts.length >= 4) { return parts[2]; }
    return parts.length >= 3 ? parts[parts.length - 1] : uid;
  }

  function el(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function html(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function clip(text, room) {
    return text.length > room ? text.slice(0, room - 1) + "\u2026" : text;
  }

  function secs(s) {
    if (s === null || s === undefined) { return "\u2014"; }
    if (s < 10) { return s.toFixed(2) + " s"; }
    if (s < 120) { return s.toFixed(1) + " s"; }
    return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
  }

  function statusOf(n) { return D.s[n] >= 0 ? D.statuses[D.s[n]] : "none"; }

  function worst(n) {
    var items = D.f[n];
    return items && items.length ? items[0][1] : null;
  }

  /* Nodes within ``hops`` steps along ``edges`` (every reachable node when hops is null). */
  function walk(start, edges, hops) {
    var seen = {}, frontier = [start], depth = 0;
    seen[start] = 0;
    while (frontier.length && (hops === null || depth < hops)) {
      depth += 1;
      var next = [];
      frontier.forEach(function (n) {
        edges[n].forEach(function (m) {
          if (!(m in seen)) { seen[m] = depth; next.push(m); }
        });
      });
      frontier = next;
    }
    return seen;
  }

  function hops() {
    var input = section.querySelector("[data-lineage-hops]");
    var value = input ? parseInt(input.value, 10) : 2;
    return value > 0 ? value : 1;
  }

  /* What the current view shows: node indexes (or group indexes in the overview). */
  function visible() {
    var list = [], n, seen;
    if (state.view === "overview") {
      for (n = 0; n < D.groups.length; n++) { list.push(n); }
    } else if (state.view === "group") {
      seen = {};
      for (n = 0; n < N; n++) {
        if (D.g[n] === state.group) {
          seen[n] = true;
          parents[n].concat(children[n]).forEach(function (m) { seen[m] = true; });
        }
      }
      list = Object.keys(seen).map(Number);
    } else if (state.view === "focus") {
      var up = walk(state.focus, parents, hops());
      var down = walk(state.focus, children, hops());
      seen = Object.assign({}, up, down);
      list = Object.keys(seen).map(Number);
    } else if (state.view === "upstream") {
      list = Object.keys(state.hl).map(Number);
    } else {
      for (n = 0; n < N; n++) { list.push(n); }
    }
    return list;
  }

  /* Pixels for the shown items: their computed columns, packed, each column centred. */
  function place(items, rank, order) {
    var columns = {};
    items.forEach(function (n) { (columns[rank[n]] = columns[rank[n]] || []).push(n); });
    var ranks = Object.keys(columns).map(Number).sort(function (a, b) { return a - b; });
    var tallest = 0;
    ranks.forEach(function (r) {
      columns[r].sort(function (a, b) { return order[a] - order[b]; });
      tallest = Math.max(tallest, columns[r].length);
    });
    var at = {};
    ranks.forEach(function (r, ci) {
      var column = columns[r];
      var offset = (tallest - column.length) / 2 * (H + GAPY);
      column.forEach(function (n, j) {
        at[n] = { x: PAD + ci * (W + GAPX), y: PAD + offset + j * (H + GAPY) };
      });
    });
    return {
      at: at,
      width: 2 * PAD + ranks.length * (W + GAPX) - GAPX,
      height: 2 * PAD + tallest * (H + GAPY) - GAPY,
    };
  }

  function edgePath(a, b) {
    var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mid = (x1 + x2) / 2;
    return "M" + x1 + " " + y1 + "C" + mid + " " + y1 + " " + mid + " " + y2 + " " + x2 + " " + y2;
  }

  function nodeClasses(n) {
    var cls = ["ln-node", "type-" + D.types[D.t[n]]];
    var overlay = state.overlay;
    if (overlay === "status") { cls.push("st-" + statusOf(n)); }
    if (overlay === "findings") { cls.push("fd-" + (worst(n) || "none")); }
    if (overlay === "critical") { cls.push(onCritical[n] ? "crit" : "off"); }
    if (overlay === "duration") { cls.push("dur"); }
    if (state.hl) { cls.push(state.hl[n] !== undefined ? "hl" : "dim"); }
    if (state.causes && state.causes.indexOf(n) >= 0) { cls.push("cause"); }
    if (state.focus === n || state.found === n) { cls.push("focus"); }
    if (state.view === "group" && D.g[n] !== state.group) { cls.push("ctx"); }
    return cls.join(" ");
  }

  function drawNode(layer, n, p) {
    var g = el("g", {
      "class": nodeClasses(n), transform: "translate(" + p.x + "," + p.y + ")",
      "data-uid": D.u[n], "data-status": statusOf(n), "data-index": n, tabindex: "0",
    });
    var rect = el("rect", { width: W, height: H, rx: D.t[n] === EXPOSURE ? 14 : 5 });
    if (state.overlay === "duration" && D.d[n] !== null && maxSeconds > 0) {
      var share = Math.log(1 + D.d[n]) / Math.log(1 + maxSeconds);
      rect.setAttribute("style", "fill-opacity:" + (0.08 + 0.6 * share).toFixed(2));
    }
    g.appendChild(rect);
    var tests = D.tests[n];
    var badge = "";
    if (tests) {
      badge = tests[2] ? "\u2717" + tests[2] : tests[1] ? "!" + tests[1] : "\u2713" + tests[0];
    }
    g.appendChild(el("text", { x: 8, y: H / 2 + 4, "class": "label" }, clip(names[n], badge ? 20 : 24)));
    if (badge) {
      g.appendChild(el("text", {
        x: W - 6, y: H / 2 + 4, "class": "tests " + (tests[2] ? "fail" : tests[1] ? "warn" : "pass"),
        "text-anchor": "end",
      }, badge));
    }
    var severity = worst(n);
    if (severity && state.overlay !== "findings") {
      g.appendChild(el("circle", { cx: W - 2, cy: 2, r: 5, "class": "marker " + severity }));
    }
    g.appendChild(el("title", {}, tooltip(n)));
    g.addEventListener("click", function () { select(n); });
    g.addEventListener("keydown", function (event) { if (event.key === "Enter") { select(n); } });
    layer.appendChild(g);
  }

  function tooltip(n) {
    var lines = [D.u[n], "status: " + statusOf(n)];
    if (D.d[n] !== null) { lines.push("duration: " + secs(D.d[n])); }
    var tests = D.tests[n];
    if (tests) { lines.push("tests: " + tests[0] + " pass, " + tests[1] + " warn, " + tests[2] + " fail"); }
    (D.f[n] || []).forEach(function (f) { lines.push(f[2] + ": " + f[3]); });
    return lines.join("\n");
  }

  function drawGroup(layer, gi, p, members) {
    var count = members[gi].length, bad = 0, warned = 0;
    members[gi].forEach(function (n) {
      var s = statusOf(n), w = worst(n);
      if (s === "error" || w === "error") { bad += 1; } else if (s === "warn" || w === "warn") { warned += 1; }
    });
    var g = el("g", {
      "class": "ln-group" + (bad ? " st-error" : warned ? " st-warn" : ""),
      transform: "translate(" + p.x + "," + p.y + ")", "data-group": D.groups[gi], tabindex: "0",
    });
    g.appendChild(el("rect", { width: W, height: H, rx: 5 }));
    g.appendChild(el("text", { x: 8, y: H / 2 + 4, "class": "label" }, clip(D.groups[gi], 19)));
    g.appendChild(el("text", { x: W - 6, y: H / 2 + 4, "class": "count", "text-anchor": "end" }, String(count)));
    g.appendChild(el("title", {}, D.groups[gi] + ": " + count + " nodes" +
      (bad ? ", " + bad + " failing" : "") + (warned ? ", " + warned + " warning" : "") +
      "\nclick to expand"));
    function open() { state.view = "group"; state.group = gi; state.hl = null; state.causes = null; draw(true); }
    g.addEventListener("click", open);
    g.addEventListener("keydown", function (event) { if (event.key === "Enter") { open(); } });
    layer.appendChild(g);
  }

  function draw(refit) {
    while (viewport.firstChild) { viewport.removeChild(viewport.firstChild); }
    var items = visible();
    var edges = el("g", { "class": "edges" });
    var layer = el("g", { "class": "nodes" });
    viewport.appendChild(edges);
    viewport.appendChild(layer);
    var layout, k;
    if (state.view === "overview") {
      layout = place(items, D.gr, D.go);
      var members = D.groups.map(function () { return []; });
      for (k = 0; k < N; k++) { members[D.g[k]].push(k); }
      for (k = 0; k < D.ge.length; k += 2) {
        edges.appendChild(el("path", { d: edgePath(layout.at[D.ge[k]], layout.at[D.ge[k + 1]]) }));
      }
      items.forEach(function (gi) { drawGroup(layer, gi, layout.at[gi], members); });
    } else {
      layout = place(items, D.r, D.o);
      for (k = 0; k < D.e.length; k += 2) {
        var a = layout.at[D.e[k]], b = layout.at[D.e[k + 1]];
        if (a && b) {
          var lit = state.hl && state.hl[D.e[k]] !== undefined && state.hl[D.e[k + 1]] !== undefined;
          edges.appendChild(el("path", { d: edgePath(a, b), "class": lit ? "hl" : "" }));
        }
      }
      items.forEach(function (n) { drawNode(layer, n, layout.at[n]); });
    }
    if (refit) { fit(layout); }
    apply();
    describe(items.length);
    legend();
  }

  function fit(layout) {
    var box = host.getBoundingClientRect();
    var k = Math.min(1, box.width / layout.width, box.height / layout.height);
    k = Math.max(k, Math.min(1, box.width / layout.width, 0.35));
    zoom.k = k;
    zoom.x = Math.max(0, (box.width - layout.width * k) / 2);
    zoom.y = Math.max(0, (box.height - layout.height * k) / 2);
  }

  function apply() {
    viewport.setAttribute("transform", "translate(" + zoom.x + "," + zoom.y + ") scale(" + zoom.k + ")");
  }

  function describe(count) {
    var label = section.querySelector("[data-lineage-view]");
    if (!label) { return; }
    var text;
    if (state.view === "overview") { text = "Overview: " + count + " folders"; }
    else if (state.view === "group") { text = D.groups[state.group] + " and its neighbours: " + count + " nodes"; }
    else if (state.view === "focus") { text = names[state.focus] + ", " + hops() + " hops up and down: " + count + " nodes"; }
    else if (state.view === "upstream") { text = "Upstream of " + names[state.focus] + ": " + count + " nodes"; }
    else { text = "Whole graph: " + count + " nodes"; }
    label.textContent = text;
  }

  var LEGENDS = {
    status: [["st-pass", "pass"], ["st-warn", "warn"], ["st-error", "error / fail"], ["st-skipped", "skipped"], ["st-none", "not in the latest run"]],
    findings: [["fd-error", "error finding"], ["fd-warn", "warning"], ["fd-info", "info"], ["fd-none", "no finding"]],
    duration: [["dur", "darker: longer in the latest run"]],
    critical: [["crit", "on the latest build's critical path"]],
  };

  function legend() {
    var box = section.querySelector("[data-lineage-legend]");
    if (!box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    LEGENDS[state.overlay].forEach(function (item) {
      var key = html("span", "ln-key " + item[0]);
      box.appendChild(key);
      box.appendChild(document.createTextNode(item[1] + "  "));
    });
    box.appendChild(document.createTextNode("\u00b7 \u2713/\u2717 tests passed/failed \u00b7 click a node to focus, an exposure for its upstream \u00b7 drag to pan, wheel to zoom"));
  }

  /* A click: an exposure lights its whole upstream; any other node gets the focus view. */
  function select(n) {
    state.found = null;
    state.focus = n;
    if (D.t[n] === EXPOSURE) {
      state.hl = walk(n, parents, null);
      state.causes = D.causes[n] || [];
      if (state.view !== "all") { state.view = "upstream"; }
    } else {
      state.hl = null;
      state.causes = null;
      state.view = "focus";
    }
    draw(true);
    detail(n);
  }

  function detail(n) {
    var box = section.querySelector("[data-lineage-detail]");
    if (!box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    box.hidden = false;
    var head = html("div", "head");
    head.appendChild(html("b", "", names[n]));
    head.appendChild(html("span", "tag", D.types[D.t[n]]));
    head.appendChild(html("span", "status-" + statusOf(n).replace(" ", "-"), statusOf(n)));
    box.appendChild(head);
    box.appendChild(html("div", "uid mono", D.u[n]));
    var facts = [];
    if (D.d[n] !== null) { facts.push("latest run " + secs(D.d[n])); }
    var tests = D.tests[n];
    if (tests) { facts.push("tests: " + tests[0] + " pass, " + tests[1] + " warn, " + tests[2] + " fail"); }
    facts.push(parents[n].length + " parents, " + children[n].length + " children");
    if (D.t[n] === EXPOSURE && state.hl) { facts.push((Object.keys(state.hl).length - 1) + " nodes upstream"); }
    box.appendChild(html("div", "small muted", facts.join(" \u00b7 ")));
    var list = html("ul", "findings");
    (D.f[n] || []).forEach(function (f) {
      var li = html("li", f[1]);
      li.appendChild(html("div", "kind", f[2]));
      li.appendChild(html("div", "message", f[3]));
      list.appendChild(li);
    });
    if (list.firstChild) { box.appendChild(list); }
    if (D.causes[n] && D.causes[n].length) {
      box.appendChild(html("div", "small", "Root causes: " + D.causes[n].map(function (c) { return names[c]; }).join(", ")));
    }
    var anchor = D.cards && D.cards[n];
    if (anchor) {
      var link = html("a", "", "Node details \u2192");
      link.href = "#" + anchor;
      box.appendChild(link);
    }
  }

  function search(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) { return; }
    var hit = -1, n;
    for (n = 0; n < N && hit < 0; n++) { if (names[n].toLowerCase() === wanted || D.u[n].toLowerCase() === wanted) { hit = n; } }
    for (n = 0; n < N && hit < 0; n++) { if (names[n].toLowerCase().indexOf(wanted) >= 0) { hit = n; } }
    var label = section.querySelector("[data-lineage-view]");
    if (hit < 0) {
      if (label) { label.textContent = "No node matches \u201c" + text + "\u201d"; }
      return;
    }
    select(hit);
    state.found = hit;
    draw(false);
  }

  /* Pan (drag) and zoom (wheel, around the pointer). */
  var drag = null;
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = svg.getBoundingClientRect();
    var px = event.clientX - box.left, py = event.clientY - box.top;
    var factor = Math.exp(-event.deltaY * 0.0015);
    var k = Math.min(3, Math.max(0.1, zoom.k * factor));
    zoom.x = px - (px - zoom.x) * (k / zoom.k);
    zoom.y = py - (py - zoom.y) * (k / zoom.k);
    zoom.k = k;
    apply();
  }, { passive: false });
  svg.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX, y: event.clientY, zx: zoom.x, zy: zoom.y, moved: false };
  });
  window.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; }
    if (drag.moved) { zoom.x = drag.zx + dx; zoom.y = drag.zy + dy; apply(); }
  });
  window.addEventListener("pointerup", function () { drag = null; });

  var overlay = section.querySelector("[data-lineage-overlay]");
  if (overlay) { overlay.addEventListener("change", function () { state.overlay = overlay.value; draw(false); }); }
  var hopsInput = section.querySelector("[data-lineage-hops]");
  if (hopsInput) { hopsInput.addEventListener("change", function () { if (state.view === "focus") { draw(true); } }); }
  var reset = section.querySelector("[data-lineage-reset]");
  if (reset) {
    reset.addEventListener("click", function () {
      state.view = D.overview ? "overview" : "all";
      state.focus = state.hl = state.causes = state.found = null;
      var box = section.querySelector("[data-lineage-detail]");
      if (box) { box.hidden = true; }
      draw(true);
    });
  }
  var find = section.querySelector("[data-lineage-search]");
  if (find) {
    find.addEventListener("change", function () { search(find.value); });
    find.addEventListener("keydown", function (event) { if (event.key === "Enter") { search(find.value); } });
    var options = document.getElementById("lineage-names");
    if (options) {
      var seen = {};
      names.forEach(function (name) {
        if (seen[name]) { return; }
        seen[name] = true;
        var option = document.createElement("option");
        option.value = name;
        options.appendChild(option);
      });
    }
  }

  draw(true);
  host.setAttribute("data-rendered", "lineage");
  window.__lineageDrawnMs = performance.now();
})();
