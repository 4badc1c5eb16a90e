// Sparklines with forecast band, and the comparison bar chart. Data come from
// <script type="application/json"> blocks rendered by the page (no inline code).
(function () {
  "use strict";
  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  var drawn = [];
  function init(el) { var chart = window.echarts.init(el); drawn.push(chart); return chart; }
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  function draw() {
    if (typeof window.echarts === "undefined") { return; }
    var charts = readJson("ind-charts") || [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var c = charts[Number(el.getAttribute("data-chart"))];
      if (!c || !c.annual) { return; }
      var years = c.annual.map(function (p) { return p[0]; });
      var values = c.annual.map(function (p) { return p[1]; });
      var small = el.classList.contains("spark");
      var lastYear = years.length ? years[years.length - 1] : null;
      var targetYear = c.target ? c.target[0] : null;
      var end = Math.max(lastYear || 0, targetYear || 0, c.band ? c.band[0] : 0);
      var axis = [];
      var start = years.length ? years[0] : end;
      for (var y = start; y <= end; y++) { axis.push(String(y)); }
      function at(year, v) { var out = axis.map(function () { return null; }); var i = axis.indexOf(String(year)); if (i >= 0) { out[i] = v; } return out; }
      var series = [{ type: "line", name: "history", data: axis.map(function (y) { var i = years.indexOf(Number(y)); return i >= 0 ? values[i] : null; }), connectNulls: true, symbolSize: small ? 3 : 6, lineStyle: { width: 2 } }];
      if (c.band && lastYear !== null) {
        var fc = axis.map(function () { return null; });
        fc[axis.indexOf(String(lastYear))] = values[values.length - 1];
        fc[axis.indexOf(String(c.band[0]))] = c.band[2];
        series.push({ type: "line", name: "forecast", data: fc, connectNulls: true, lineStyle: { type: "dashed" }, symbolSize: small ? 3 : 6 });
        series.push({ type: "line", name: "low", data: at(c.band[0], c.band[1]), stack: "band", symbol: "none", lineStyle: { opacity: 0 } });
        series.push({ type: "bar", name: "interval", data: at(c.band[0], c.band[3] - c.band[1]), stack: "band", barWidth: small ? 6 : 14, itemStyle: { color: "rgba(31,95,191,0.25)" } });
      }
      var option = {
        animation: false,
        grid: small ? { left: 4, right: 4, top: 6, bottom: 4, containLabel: false } : { left: 40, right: 16, top: 20, bottom: 30 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: axis, show: !small },
        yAxis: { type: "value", show: !small, scale: true },
        series: series
      };
      if (c.target) {
        series[0].markLine = { silent: true, symbol: "none", data: [{ yAxis: c.target[1] }], lineStyle: { color: "#c62828", type: "dotted" }, label: { show: !small } };
      }
      init(el).setOption(option);
    });
    var bars = readJson("ind-bars");
    document.querySelectorAll("[data-bars]").forEach(function (el) {
      if (!bars || !bars.bars.length) { el.hidden = true; return; }
      init(el).setOption({
        animation: false,
        grid: { left: 120, right: 20, top: 10, bottom: 20 },
        tooltip: {},
        xAxis: { type: "value" },
        yAxis: { type: "category", data: bars.bars.map(function (b) { return b.name; }), axisLabel: { width: 110, overflow: "truncate" } },
        series: [{ type: "bar", data: bars.bars.map(function (b) { return b.value; }) }]
      });
    });
  }
  function start() { draw(); drawn.forEach(function (c) { c.resize(); }); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
