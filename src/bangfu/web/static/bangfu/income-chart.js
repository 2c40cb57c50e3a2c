// Per-capita net income by year, and the grid workers' readings, drawn with the local ECharts.
(function () {
  var el = document.getElementById("income-chart");
  var src = document.getElementById("chart-data");
  if (!el || !src || !window.echarts) return;
  var data = JSON.parse(src.textContent);
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.years },
    yAxis: { type: "value", name: zh ? "元/人" : "yuan/person" },
    series: [{ name: zh ? "人均纯收入" : "Per-capita net income", type: "line", data: data.per_capita, smooth: false, label: { show: true } }]
  });
  // the chart is as wide as its box (100%): follow it when the window or the phone turns
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; chart.resize(); });
  });
  el.dataset.drawn = "1";
})();
