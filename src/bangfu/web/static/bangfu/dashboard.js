// The dashboard's charts, drawn with the local ECharts from the page's JSON.
(function () {
  var src = document.getElementById("dashboard-data");
  if (!src || !window.echarts) return;
  var d = JSON.parse(src.textContent);
  // names in the reader's language, from the page (the data keeps the stored words and codes)
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  function named(obj, names) {
    var out = {};
    Object.keys(obj).forEach(function (k) { out[names[k] || k] = obj[k]; });
    return out;
  }
  // every chart follows its container's width (100%): on a window resize or a phone turned
  // round, each is redrawn to its box, once per animation frame
  var charts = [];
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) { c.resize(); });
    });
  });
  var narrow = window.matchMedia("(max-width: 48rem)").matches;
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    el.dataset.drawn = "1";
  }
  function pairs(obj) { return Object.keys(obj).filter(function (k) { return obj[k] > 0; }).map(function (k) { return { name: k, value: obj[k] }; }); }
  function bars(obj) {
    return {
      // containLabel: the category names take the room they need, not a fixed margin
      tooltip: {}, grid: { left: 8, right: 36, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value" }, yAxis: { type: "category", data: Object.keys(obj) },
      series: [{ type: "bar", data: Object.values(obj), label: { show: true, position: "right" } }]
    };
  }
  draw("chart-category", { tooltip: {}, series: [{ type: "pie", radius: narrow ? ["25%", "50%"] : ["35%", "65%"], data: pairs(d.by_category), label: { formatter: "{b}: {c}", overflow: "break" } }] });
  draw("chart-risk", bars(named(d.by_risk, labels.risks)));
  draw("chart-source", bars(d.pending_by_source));
  var months = Object.keys(d.flow);
  draw("chart-flow", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: months }, yAxis: { type: "value" },
    series: [
      { name: labels.entries, type: "bar", data: months.map(function (m) { return d.flow[m].entries; }) },
      { name: labels.exits, type: "bar", data: months.map(function (m) { return d.flow[m].exits; }) }
    ]
  });
  var kinds = Object.keys(d.measures);
  var statuses = ["planned", "active", "done", "cancelled"];
  draw("chart-measures", {
    tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" }, grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: "value" }, yAxis: { type: "category", data: kinds },
    series: statuses.map(function (s) { return { name: labels.statuses[s] || s, type: "bar", stack: "all", data: kinds.map(function (k) { return d.measures[k][s] || 0; }) }; })
  });
})();
