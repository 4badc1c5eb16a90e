// Thước đo dashboards: draw the charts from the JSON block; every chart also has a table.
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var en = document.documentElement.lang === "en";
  var T = {
    score: en ? "Mean score" : "Điểm trung bình",
    share: en ? "Share (%)" : "Tỷ lệ (%)",
    unmet: en ? "Share unmet (%)" : "Tỷ lệ chưa đạt (%)",
    hidden: en ? "— (fewer than 5 respondents)" : "— (dưới 5 đơn vị trả lời)",
    nodata: en ? "no data" : "không có dữ liệu"
  };
  var charts = [];

  function mount(name, option) {
    var node = document.querySelector('[data-chart="' + name + '"]');
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }
  function pct(x) { return x === null || x === undefined ? null : Math.round(x * 1000) / 10; }

  // tile-grid map of provinces
  var m = data.map;
  var tiles = m.tiles.map(function (t) {
    return { value: [t.x, t.y, t.mean === null ? "-" : t.mean], name: t.name, n: t.n, suppressed: t.suppressed };
  });
  var xs = []; for (var i = 0; i < m.columns; i++) { xs.push(String(i)); }
  var ys = []; for (var j = 0; j < m.rows; j++) { ys.push(String(j)); }
  var background = m.tiles.map(function (t) { return { value: [t.x, t.y, 0], name: t.name }; });
  mount("map", {
    tooltip: { formatter: function (p) {
      var d = p.data;
      if (p.seriesIndex === 0) { return d.name + ": " + T.nodata; }
      return d.name + ": " + (d.suppressed ? T.hidden : (d.value[2] === "-" ? T.nodata : d.value[2]));
    } },
    grid: { left: 4, right: 4, top: 4, bottom: 40 },
    xAxis: { type: "category", data: xs, show: false },
    yAxis: { type: "category", data: ys, inverse: true, show: false },
    visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                 seriesIndex: 1, inRange: { color: ["#f3d6c6", "#f5b971", "#9fd08c", "#2f8f5b"] } },
    series: [
      { type: "heatmap", data: background, itemStyle: { color: "#e6e9ee", borderColor: "#fff", borderWidth: 2 },
        label: { show: true, fontSize: 9, color: "#5b6675", formatter: function (p) { return p.data.name + "\n—"; } } },
      { type: "heatmap", data: tiles, itemStyle: { borderColor: "#fff", borderWidth: 2 },
        label: { show: true, fontSize: 9,
                 formatter: function (p) { return p.data.name + "\n" + (p.data.value[2] === "-" ? "—" : Math.round(p.data.value[2])); } } }
    ]
  });

  mount("levels", {
    tooltip: {},
    grid: { left: 40, right: 10, top: 30, bottom: 60 },
    xAxis: { type: "category", data: data.levels.map(function (l) { return l.code + ". " + l.name; }),
             axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
    yAxis: { type: "value", name: T.share, max: 100, nameTextStyle: { align: "left" } },
    series: [{ type: "bar", data: data.levels.map(function (l) { return pct(l.share); }), itemStyle: { color: "#2f6f9f" } }]
  });

  mount("pillars", {
    tooltip: {},
    grid: { left: 110, right: 20, top: 10, bottom: 45 },
    yAxis: { type: "category", data: data.pillars.map(function (p) { return p.name; }), inverse: true,
             axisLabel: { fontSize: 10, width: 100, overflow: "break", lineHeight: 12 } },
    xAxis: { type: "value", min: 0, max: 100, name: T.score, nameLocation: "middle", nameGap: 25 },
    series: [{ type: "bar", data: data.pillars.map(function (p) { return p.mean; }), itemStyle: { color: "#2f8f5b" } }]
  });

  mount("unmet", {
    tooltip: { formatter: function (p) { var u = data.unmet[p.dataIndex]; return u.name + " (" + u.criterion + "): " + p.value + "%"; } },
    grid: { left: 150, right: 20, top: 10, bottom: 45 },
    // criteria are named in plain words (their codes are in the table's own column)
    yAxis: { type: "category", data: data.unmet.map(function (u) { return u.name; }), inverse: true,
             axisLabel: { fontSize: 10, width: 140, overflow: "break", lineHeight: 12 } },
    xAxis: { type: "value", min: 0, max: 100, name: T.unmet, nameLocation: "middle", nameGap: 25 },
    series: [{ type: "bar", data: data.unmet.map(function (u) { return pct(u.share); }), itemStyle: { color: "#c0623b" } }]
  });

  mount("trend", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 20, top: 30, bottom: 30 },
    xAxis: { type: "category", data: data.trend.map(function (t) { return String(t.year) + (t.version_changed ? " *" : ""); }) },
    yAxis: { type: "value", min: 0, max: 100, name: T.score, nameTextStyle: { align: "left" } },
    series: [{ type: "line", data: data.trend.map(function (t) { return t.mean; }), symbolSize: 8, itemStyle: { color: "#2f6f9f" } }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
