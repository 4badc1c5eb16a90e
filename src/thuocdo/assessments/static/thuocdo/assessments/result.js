// Result page: a radar chart of pillar scores (falls back to the bars when ECharts is absent).
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("pillar-chart");
    var data = document.getElementById("td-chart");
    if (!el || !data || !window.echarts) { if (el) { el.hidden = true; } return; }
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      radar: {
        indicator: d.pillars.map(function (p) { return { name: p, max: 100 }; }),
        radius: "50%", center: ["50%", "52%"],
        axisName: { color: "#334", fontSize: 10, overflow: "break", width: 72 }
      },
      series: [{ type: "radar", areaStyle: { opacity: 0.25 },
        data: [{ value: d.scores.map(function (s) { return s === null ? 0 : s; }) }] }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
})();
