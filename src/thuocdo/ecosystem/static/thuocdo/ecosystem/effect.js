// Effect report: mean change of the overall score with its 95% interval (ECharts).
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("effect-chart");
  var data = document.getElementById("effect-data");
  if (!el || !data || typeof echarts === "undefined") return;
  var d = JSON.parse(data.textContent);
  if (!d.labels.length) { el.hidden = true; return; }
  var chart = echarts.init(el);
  var bars = d.labels.map(function (_, i) { return [i, d.low[i], d.high[i]]; });
  chart.setOption({
    grid: { left: 48, right: 16, top: 16, bottom: 64 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { type: "bar", data: d.mean, itemStyle: { color: "#2f6fb3" } },
      {
        type: "custom", data: bars,
        renderItem: function (params, api) {
          if (api.value(1) === null || api.value(2) === null) return null;
          var lo = api.coord([api.value(0), api.value(1)]);
          var hi = api.coord([api.value(0), api.value(2)]);
          var w = 8;
          return { type: "group", children: [
            { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: "#222", lineWidth: 1.5 } },
            { type: "line", shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: { stroke: "#222" } },
            { type: "line", shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: { stroke: "#222" } }
          ] };
        }
      }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
