/* dbt-monitor report charts: draws each <div data-chart="ID"> from the embedded JSON.
 * Static file (not a template), inlined once and allowed by its CSP hash.
 * Every string that came from dbt artifacts is escaped before it reaches a tooltip. */
(function () {
  "use strict";

  var source = document.getElementById("report-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var DATA = JSON.parse(source.textContent);
  var esc = echarts.format.encodeHTML;
  var charts = [];

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function theme() {
    return {
      text: cssVar("--text"),
      muted: cssVar("--muted"),
      faint: cssVar("--faint"),
      border: cssVar("--border"),
      grid: cssVar("--grid"),
      surface: cssVar("--surface"),
      accent: cssVar("--accent"),
      critical: cssVar("--critical"),
      ok: cssVar("--ok"),
      warn: cssVar("--warn"),
      err: cssVar("--err"),
      skip: cssVar("--skip"),
      info: cssVar("--info"),
      sans: cssVar("--sans"),
    };
  }

  var SERIES_COLORS = [
    "#4c6ef5", "#12b886", "#f76707", "#ae3ec9", "#1098ad",
    "#e8590c", "#74b816", "#d6336c", "#5c7cfa", "#0ca678",
  ];

  function fade(color, alpha) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
    if (!m) { return color; }
    return "rgba(" + parseInt(m[1], 16) + "," + parseInt(m[2], 16) + "," + parseInt(m[3], 16) + "," + alpha + ")";
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function when(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
  }

  function secs(s) {
    if (s === null || s === undefined) { return "—"; }
    if (s < 10) { return s.toFixed(2) + " s"; }
    if (s < 120) { return s.toFixed(1) + " s"; }
    if (s < 3 * 3600) { return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s"; }
    return (s / 3600).toFixed(1) + " h";
  }

  /* Axis ticks: round units, no seconds on a minutes scale. */
  function tick(s) {
    if (s >= 3 * 3600) { return +(s / 3600).toFixed(1) + " h"; }
    if (s >= 120) { return Math.round(s / 60) + " min"; }
    return secs(s);
  }

  /* A unit that gives round axis ticks for durations up to ``max`` seconds. */
  function unitFor(max) {
    if (max >= 3 * 3600) { return { div: 3600, suffix: " h" }; }
    if (max >= 180) { return { div: 60, suffix: " min" }; }
    return { div: 1, suffix: " s" };
  }

  function scaled(unit) {
    return function (v) { return v === null || v === undefined ? v : v / unit.div; };
  }

  function hoursText(h) {
    if (h === null || h === undefined) { return "—"; }
    if (h < 1) { return Math.round(h * 60) + " min"; }
    if (h < 72) { return h.toFixed(1) + " h"; }
    return (h / 24).toFixed(1) + " days";
  }

  function row(label, value) {
    return '<div style="display:flex;justify-content:space-between;gap:16px"><span>' +
      esc(label) + "</span><b>" + esc(String(value)) + "</b></div>";
  }

  function base(t) {
    return {
      animation: false,
      useUTC: true,
      textStyle: { fontFamily: t.sans, color: t.muted },
      color: SERIES_COLORS,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: {
        backgroundColor: t.surface,
        borderColor: t.border,
        textStyle: { color: t.text, fontSize: 12 },
        extraCssText: "box-shadow:0 4px 14px rgba(0,0,0,.18);border-radius:8px;max-width:360px;white-space:normal",
        confine: true,
      },
      legend: { top: 0, textStyle: { color: t.muted }, type: "scroll", icon: "roundRect", itemWidth: 12, itemHeight: 8 },
    };
  }

  function timeAxis(t) {
    return {
      type: "time",
      axisLine: { lineStyle: { color: t.border } },
      axisLabel: {
        color: t.muted, hideOverlap: true, alignMinLabel: "left", alignMaxLabel: "right", margin: 12,
        formatter: { year: "{yyyy}", month: "{MMM}", day: "{MMM} {d}", hour: "{HH}:{mm}", minute: "{HH}:{mm}" },
      },
      splitLine: { show: false },
    };
  }

  function valueAxis(t, name, formatter) {
    return {
      type: "value",
      name: name,
      nameTextStyle: { color: t.muted, align: "left" },
      axisLabel: { color: t.muted, formatter: formatter },
      splitLine: { lineStyle: { color: t.grid } },
    };
  }

  /* Run health: one slot per invocation (stacked status counts, wall time), missed runs shaded. */
  function health(d, t) {
    var n = d.label.length;
    function only(test, values) {
      var out = [];
      for (var i = 0; i < n; i++) { out.push(test(i) ? values[i] : null); }
      return out;
    }
    var isRun = function (i) { return d.missed[i] === null; };
    var tallest = 1;
    for (var i = 0; i < n; i++) {
      if (isRun(i)) { tallest = Math.max(tallest, d.ok[i] + d.warn[i] + d.failed[i] + d.skipped[i]); }
    }
    var bar = { type: "bar", stack: "results", barMaxWidth: 22, yAxisIndex: 0 };
    var option = base(t);
    option.grid.top = 40;
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: "shadow" };
    option.tooltip.formatter = function (params) {
      var i = params[0].dataIndex;
      if (!isRun(i)) {
        return "<b>" + d.missed[i] + " scheduled run" + (d.missed[i] === 1 ? "" : "s") +
          " missed</b><div>after " + when(d.t[i]) + "</div>";
      }
      return "<b>" + esc(d.command[i]) + "</b> · " + esc(d.env[i]) + " · " + esc(d.trigger[i]) +
        '<div style="color:' + t.muted + '">' + when(d.t[i]) + " · " + esc(d.id[i]) + "</div>" +
        row("ok", d.ok[i]) + row("warn", d.warn[i]) + row("failed", d.failed[i]) +
        row("skipped", d.skipped[i]) + row("wall time", secs(d.wall[i]));
    };
    option.xAxis = {
      type: "category", data: d.label,
      axisLine: { lineStyle: { color: t.border } },
      axisLabel: { color: t.muted, hideOverlap: true, alignMinLabel: "left", alignMaxLabel: "right", margin: 12 },
      axisTick: { alignWithLabel: true },
    };
    var unit = unitFor(Math.max.apply(null, d.wall.filter(function (w) { return w !== null; }).concat([0])));
    var wallScaled = d.wall.map(scaled(unit));
    option.yAxis = [
      valueAxis(t, "", null),
      valueAxis(t, "", function (v) { return +v.toFixed(2) + unit.suffix; }),
    ];
    option.yAxis[0].minInterval = 1;
    option.yAxis[1].splitLine = { show: false };
    var scheduledBuild = function (i) { return isRun(i) && d.trigger[i] !== "ci" && d.build[i]; };
    var other = function (i) { return isRun(i) && d.trigger[i] !== "ci" && !d.build[i]; };
    var ci = function (i) { return isRun(i) && d.trigger[i] === "ci"; };
    option.series = [
      Object.assign({ name: "ok", data: d.ok, itemStyle: { color: t.ok } }, bar),
      Object.assign({ name: "warn", data: d.warn, itemStyle: { color: t.warn } }, bar),
      Object.assign({ name: "failed", data: d.failed, itemStyle: { color: t.err } }, bar),
      Object.assign({ name: "skipped", data: d.skipped, itemStyle: { color: t.skip } }, bar),
      Object.assign({
        name: "missed run",
        data: only(function (i) { return !isRun(i); }, d.label.map(function () { return tallest; })),
        itemStyle: { color: fade(t.err, 0.16), borderColor: t.err, borderType: "dashed", borderWidth: 1 },
        label: { show: true, position: "insideTop", color: t.err, fontSize: 11, formatter: "missed" },
      }, bar),
      {
        name: "build wall time", type: "line", yAxisIndex: 1, data: only(scheduledBuild, wallScaled),
        connectNulls: true, symbol: "circle", symbolSize: 7,
        lineStyle: { width: 2, color: t.accent }, itemStyle: { color: t.accent },
      },
      {
        name: "other wall time", type: "scatter", yAxisIndex: 1, data: only(other, wallScaled),
        symbol: "circle", symbolSize: 5, itemStyle: { color: t.faint },
      },
      {
        name: "CI run", type: "scatter", yAxisIndex: 1, data: only(ci, wallScaled),
        symbol: "diamond", symbolSize: 12, itemStyle: { color: t.critical },
      },
    ];
    return option;
  }

  /* Model durations: one line per slow model, flagged ones bold. */
  function durations(d, t) {
    var max = 0;
    d.series.forEach(function (s) { s.points.forEach(function (p) { max = Math.max(max, p[1]); }); });
    var unit = unitFor(max);
    var option = base(t);
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      return "<b>" + esc(p.seriesName) + "</b><div>" + when(p.data[0]) + "</div>" +
        row("duration", secs(p.data[1] * unit.div));
    };
    option.xAxis = timeAxis(t);
    option.yAxis = valueAxis(t, "", function (v) { return +v.toFixed(2) + unit.suffix; });
    option.series = d.series.map(function (s) {
      var points = s.points.map(function (p) { return [p[0], p[1] / unit.div]; });
      return {
        name: s.name, type: "line", data: points, showSymbol: true, symbolSize: s.flagged ? 6 : 4,
        lineStyle: { width: s.flagged ? 3 : 1.5, opacity: s.flagged ? 1 : 0.75 },
        emphasis: { focus: "series" },
      };
    });
    return option;
  }

  /* The last build: one lane per thread, bars by status, the critical path outlined. */
  function gantt(d, t) {
    var colors = {
      success: t.ok, pass: t.ok, warn: t.warn, fail: t.err, error: t.err,
      "runtime error": t.err, skipped: t.skip,
    };
    var option = base(t);
    option.grid = { left: 8, right: 20, top: 14, bottom: 44, containLabel: true };
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      var b = d.bars[p.dataIndex];
      var status = d.statuses[b[3]];
      return "<b>" + esc(d.names[p.dataIndex]) + "</b> · " + esc(d.types[b[6]]) +
        '<div style="color:' + t.muted + '">' + esc(d.threads[b[0]]) + "</div>" +
        row("status", status) +
        row("started", d.origin !== null ? when(d.origin + b[1] * 1000) : secs(b[1])) +
        row("execution time", secs(b[5])) + row("on the bar", secs(b[2] - b[1])) +
        (b[4] ? '<div style="color:' + t.critical + ';font-weight:600">on the critical path</div>' : "");
    };
    option.xAxis = {
      type: "value", min: 0,
      axisLabel: { color: t.muted, formatter: tick },
      splitLine: { lineStyle: { color: t.grid } },
    };
    option.yAxis = {
      type: "category", data: d.threads, inverse: true,
      axisLabel: { color: t.muted, formatter: function (v) { return v.replace(/\s*\(.*\)$/, ""); } },
      axisLine: { lineStyle: { color: t.border } }, axisTick: { show: false },
    };
    option.dataZoom = [
      { type: "inside", xAxisIndex: 0, filterMode: "weakFilter" },
      { type: "slider", xAxisIndex: 0, height: 16, bottom: 6, filterMode: "weakFilter",
        borderColor: t.border, textStyle: { color: t.muted }, showDetail: false },
    ];
    option.series = [{
      type: "custom",
      encode: { x: [1, 2], y: 0 },
      data: d.bars,
      renderItem: function (params, api) {
        var lane = api.value(0);
        var start = api.coord([api.value(1), lane]);
        var end = api.coord([api.value(2), lane]);
        var height = api.size([0, 1])[1] * 0.62;
        var shape = echarts.graphic.clipRectByRect(
          { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 1.5), height: height },
          { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height }
        );
        if (!shape) { return null; }
        var critical = api.value(4) === 1;
        var status = d.statuses[api.value(3)];
        return {
          type: "rect", shape: shape, transition: [],
          style: {
            fill: colors[status] || t.info,
            opacity: critical ? 1 : 0.55,
            stroke: critical ? t.critical : null,
            lineWidth: critical ? 2 : 0,
          },
        };
      },
    }];
    return option;
  }

  /* Test pass rate over time, with failures as bars. */
  function passrate(d, t) {
    var option = base(t);
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (params) {
      var i = params[0].dataIndex;
      return "<b>" + when(d.t[i]) + "</b> · " + esc(d.id[i]) + " · " + esc(d.env[i] || "default") +
        row("pass rate", (d.rate[i] * 100).toFixed(1) + "%") + row("tests", d.tests[i]) +
        row("warned", d.warned[i]) + row("failed", d.failed[i]);
    };
    option.xAxis = timeAxis(t);
    var rates = d.rate.map(function (r) { return r * 100; });
    var low = Math.min.apply(null, rates.concat([90]));
    option.yAxis = [
      valueAxis(t, "", function (v) { return v + "%"; }),
      valueAxis(t, "", null),
    ];
    option.yAxis[0].min = Math.max(0, Math.floor(low / 5) * 5);
    option.yAxis[0].max = 100;
    option.yAxis[1].splitLine = { show: false };
    option.yAxis[1].minInterval = 1;
    option.series = [
      {
        name: "pass rate", type: "line", yAxisIndex: 0, symbolSize: 5,
        data: d.t.map(function (x, i) { return [x, rates[i]]; }),
        itemStyle: { color: t.ok }, lineStyle: { width: 2 },
        areaStyle: { color: t.ok, opacity: 0.08 },
      },
      {
        name: "failed", type: "bar", yAxisIndex: 1, barMaxWidth: 10, stack: "bad",
        data: d.t.map(function (x, i) { return [x, d.failed[i]]; }), itemStyle: { color: t.err },
      },
      {
        name: "warned", type: "bar", yAxisIndex: 1, barMaxWidth: 10, stack: "bad",
        data: d.t.map(function (x, i) { return [x, d.warned[i]]; }), itemStyle: { color: t.warn },
      },
    ];
    return option;
  }

  /* One source: age at each check against its warn/error bands, stale periods shaded. */
  function freshness(d, t) {
    var colors = { pass: t.ok, warn: t.warn, error: t.err, "runtime error": t.err };
    var top = Math.max.apply(null, d.age.concat([(d.error || d.warn || 0) * 1.25, 1])) * 1.05;
    var bands = [];
    if (d.warn !== null) {
      bands.push([{ yAxis: d.warn, itemStyle: { color: t.warn, opacity: 0.1 } }, { yAxis: d.error !== null ? d.error : top }]);
    }
    if (d.error !== null) {
      bands.push([{ yAxis: d.error, itemStyle: { color: t.err, opacity: 0.1 } }, { yAxis: top }]);
    }
    var stale = d.stale.map(function (p) {
      return [
        { xAxis: p[0], itemStyle: { color: p[2] === "warn" ? t.warn : t.err, opacity: 0.16 } },
        { xAxis: p[1] === p[0] ? p[1] + 3600 * 1000 : p[1] },
      ];
    });
    var option = base(t);
    option.grid = { left: 10, right: 12, top: 10, bottom: 4, containLabel: true };
    option.legend = { show: false };
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      if (p.componentType !== "series") { return ""; }
      var i = p.dataIndex;
      return "<b>" + esc(d.name) + "</b><div>" + when(d.t[i]) + "</div>" +
        row("age", hoursText(d.age[i])) + row("status", d.status[i]) +
        row("warn after", hoursText(d.warn)) + row("error after", hoursText(d.error));
    };
    option.xAxis = timeAxis(t);
    option.yAxis = valueAxis(t, "", function (v) { return hoursText(v); });
    option.yAxis.max = top;
    option.yAxis.splitNumber = 3;
    option.yAxis.axisLabel.showMaxLabel = false;
    option.series = [{
      name: d.name, type: "line", symbolSize: 6, lineStyle: { width: 1.5, color: t.muted },
      data: d.t.map(function (x, i) {
        return { value: [x, d.age[i]], itemStyle: { color: colors[d.status[i]] || t.info } };
      }),
      markArea: { silent: true, data: bands.concat(stale) },
      markLine: {
        silent: true, symbol: "none", label: { show: false },
        data: [].concat(
          d.warn !== null ? [{ yAxis: d.warn, lineStyle: { color: t.warn, type: "dashed" } }] : [],
          d.error !== null ? [{ yAxis: d.error, lineStyle: { color: t.err, type: "dashed" } }] : []
        ),
      },
    }];
    return option;
  }

  /* Funnel steps' users over time. */
  function funnel(d, t) {
    var option = base(t);
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (params) {
      var html = "<b>" + when(params[0].data[0]) + "</b>";
      params.forEach(function (p) { html += row(p.seriesName, p.data[1] === null ? "—" : p.data[1]); });
      return html;
    };
    option.xAxis = timeAxis(t);
    option.yAxis = valueAxis(t, "", null);
    option.series = d.series.map(function (s) {
      return {
        name: s.name, type: "line", symbolSize: 5, connectNulls: false,
        data: d.t.map(function (x, i) { return [x, s.data[i]]; }),
      };
    });
    return option;
  }

  /* Cost per day, stacked by the costliest nodes (issue 14). */
  function stacked(d, t) {
    var days = d.days.map(function (day) { return Date.parse(day + "T00:00:00Z"); });
    var option = base(t);
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (params) {
      var html = "<b>" + esc(new Date(params[0].data[0]).toISOString().slice(0, 10)) + "</b>";
      params.forEach(function (p) {
        if (p.data[1]) { html += row(p.seriesName, p.data[1].toFixed(2) + " " + d.unit); }
      });
      return html;
    };
    option.xAxis = timeAxis(t);
    option.yAxis = valueAxis(t, "", null);  // the unit is in the section text: a name would meet the legend
    option.series = d.series.map(function (s) {
      return {
        name: s.name, type: "bar", stack: "cost", barMaxWidth: 28, emphasis: { focus: "series" },
        data: days.map(function (x, i) { return [x, s.data[i]]; }),
      };
    });
    return option;
  }

  /* Time of day each exposure's data was ready (issue 14); null: never ready. */
  function readiness(d, t) {
    var DAY = 86400000;
    function clock(ms) { return ms === null ? null : ((ms % DAY) + DAY) % DAY; }
    function hhmm(ms) {
      var s = Math.floor(ms / 1000);
      return pad(Math.floor(s / 3600) % 24) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    }
    var option = base(t);
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      return "<b>" + esc(p.seriesName) + "</b><div>" + when(p.data[0]) + "</div>" +
        row("ready", p.data[2] ? "never" : hhmm(p.data[1]) + " UTC");
    };
    option.xAxis = timeAxis(t);
    option.yAxis = valueAxis(t, "", hhmm);
    option.yAxis.scale = true;
    option.series = [];
    d.series.forEach(function (s) {
      var low = Math.min.apply(null, s.points.filter(function (p) { return p[1] !== null; }).map(function (p) { return clock(p[1]); }).concat([DAY]));
      option.series.push({
        name: s.name, type: "line", symbolSize: 6,
        data: s.points.map(function (p) { return [p[0], p[1] === null ? low : clock(p[1]), p[1] === null]; }),
        markLine: { silent: true, symbol: "none", lineStyle: { color: t.err, type: "dashed" },
          data: s.points.filter(function (p) { return p[2] !== null; }).slice(-1).map(function (p) { return { yAxis: clock(p[2]) }; }) },
      });
      option.series.push({
        name: s.name, type: "scatter", symbol: "path://M0,0L10,10M10,0L0,10", symbolSize: 10,
        itemStyle: { color: t.err, borderColor: t.err, borderWidth: 2 },
        data: s.points.filter(function (p) { return p[1] === null; }).map(function (p) { return [p[0], low, true]; }),
      });
    });
    return option;
  }

  var KINDS = {
    health: health, durations: durations, gantt: gantt,
    passrate: passrate, freshness: freshness, funnel: funnel,
    stacked: stacked, readiness: readiness,
  };

  /* Narrow charts: the legend wraps onto as many rows as it needs (none hidden
   * behind scroll arrows) and the plot starts below it. */
  function fitLegend(option, width) {
    /* A date label centred on the last tick must not stick out of the chart. */
    if (option.xAxis && option.xAxis.type === "time") { option.grid.right = Math.max(option.grid.right, 30); }
    var legend = option.legend;
    if (!legend || legend.show === false || width >= 700 || !option.series) { return option; }
    var room = width - 16, rows = 1, used = 0;
    option.series.forEach(function (s) {
      var item = 12 + 5 + String(s.name).length * 7 + 10;
      if (used + item > room && used > 0) { rows += 1; used = 0; }
      used += item;
    });
    legend.type = "plain";
    legend.left = 0;
    legend.right = 0;
    legend.itemGap = 10;
    option.grid.top += (rows - 1) * 22;
    return option;
  }

  function draw() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    var t = theme();
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (el) {
      var d = DATA[el.getAttribute("data-chart")];
      if (!d || !KINDS[d.kind]) { return; }
      /* SVG, not canvas: every label is an element whose box can be checked. */
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(fitLegend(KINDS[d.kind](d, t), el.clientWidth));
      el.setAttribute("data-rendered", d.kind);
      charts.push(chart);
    });
  }

  function resize() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(resize, 120);
  });
  /* Paper: open every <details>, redraw in the print palette, and back afterwards. */
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (el) { el.open = true; });
    draw();
  });
  window.addEventListener("afterprint", draw);
  if (window.matchMedia) {
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) { scheme.addEventListener("change", draw); }
  }
  /* A link to a run (#run-…) opens its view and the list around it. */
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el || el.tagName !== "DETAILS") { return; }
    for (var node = el; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    el.scrollIntoView();
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  draw();
})();
