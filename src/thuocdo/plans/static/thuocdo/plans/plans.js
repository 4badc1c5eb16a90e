// Plans: draws the completion charts from the JSON block each page carries (no inline script).
(function () {
  "use strict";
  var COLORS = { done: "#1e7b34", in_progress: "#0b5cad", not_started: "#9aa4b2", overdue: "#b3261e", cancelled: "#c9ced6" };

  function data(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function narrow(el) { return (el.clientWidth || window.innerWidth) < 480; }

  function groupsChart(el, d) {
    // Each task is in exactly one series, so a bar is as long as its group has tasks.
    var keys = ["done", "in_progress", "not_started", "overdue", "cancelled"];
    var series = keys.map(function (k) {
      return { name: d.names[k], type: "bar", stack: "tasks", data: d.series[k], itemStyle: { color: COLORS[k] },
        emphasis: { focus: "series" } };
    });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.labels,
        axisLabel: narrow(el)
          ? { formatter: function (label) { return label.split(".")[0]; } }
          : { width: 260, overflow: "truncate" } },
      series: series
    };
  }

  function provincesChart(el, d) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: d.labels, axisLabel: { width: narrow(el) ? 110 : 200, overflow: "truncate" } },
      series: [
        { name: d.names.percent, type: "bar", data: d.percent, itemStyle: { color: COLORS.done } },
        { name: d.names.progress, type: "bar", data: d.progress, itemStyle: { color: COLORS.in_progress } }
      ]
    };
  }

  function draw() {
    if (typeof window.echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data(el);
      if (!d) { return; }
      var kind = el.getAttribute("data-chart");
      var option = kind === "groups" ? groupsChart(el, d) : provincesChart(el, d);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      option.animation = false;
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
