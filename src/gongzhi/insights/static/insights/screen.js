/* The 数据大屏: fetches its panels as JSON, draws them with ECharts, and
   fetches again every minute; scales the 1920×1080 canvas to the window. */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root || !window.echarts) { return; }
  var L = JSON.parse(document.getElementById("screen-labels").textContent);
  var charts = {};
  var COLORS = ["#2d8cff", "#36d1a4", "#ffc53d", "#ff7a45", "#b37feb", "#5cdbd3", "#ff85c0", "#95de64"];
  var AXIS = { axisLine: { lineStyle: { color: "#4a6fa5" } }, axisLabel: { color: "#c7d7f2", fontSize: 16 }, splitLine: { lineStyle: { color: "rgba(74,111,165,.25)" } } };
  var TEXT = { color: "#dbe8ff", fontSize: 16 };

  function fit() {
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    root.style.transform = "scale(" + scale + ")";
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  }

  function chart(name) {
    if (!charts[name]) {
      charts[name] = echarts.init(document.getElementById("chart-" + name), null, { renderer: "canvas" });
    }
    return charts[name];
  }

  // A chart with nothing to draw says so in its middle.
  function empty(rows, left) {
    return { show: !rows.length, text: L.nothing, left: left || "center", top: "middle", textStyle: { color: "#9db4d8", fontSize: 20, fontWeight: "normal" } };
  }

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function screenUrl(id) { return root.dataset.screenUrl.replace("{id}", id) + "?month=" + root.dataset.month; }

  function kpis(p) {
    var t = p.tree.total, r = p.rates.rates;
    var items = [
      [t.raised, L.raised], [pct(r.response), L.response], [pct(r.resolve), L.resolve],
      [pct(r.satisfaction), L.satisfaction], [t.visits, L.visits],
      [t.participations, L.participations], [t.hours, L.hours], [t.earned, L.earned]
    ];
    var box = document.getElementById("kpis");
    box.textContent = "";
    items.forEach(function (item) {
      var kpi = el("div", undefined, "kpi");
      kpi.appendChild(el("strong", String(item[0])));
      kpi.appendChild(el("span", item[1]));
      box.appendChild(kpi);
    });
  }

  function tree(p) {
    var t = p.tree;
    var children = t.children.map(function (c) {
      return { name: c.name + " " + c.raised, id: c.id, value: c.raised };
    });
    if (!charts.tree) {
      chart("tree").on("click", function (params) {
        if (params.data && params.data.id) { window.location.href = screenUrl(params.data.id); }
      });
    }
    chart("tree").setOption({
      tooltip: { trigger: "item", formatter: "{b}" },
      series: [{
        type: "tree", orient: "LR", top: "6%", bottom: "6%", left: "24%", right: "30%",
        symbolSize: 16, initialTreeDepth: 1, expandAndCollapse: false,
        itemStyle: { color: "#2d8cff", borderColor: "#7fd3ff" },
        lineStyle: { color: "#4a6fa5", width: 2 },
        label: { color: "#fff", fontSize: 18, position: "left" },
        leaves: { label: { position: "right", color: "#dbe8ff", fontSize: 18 } },
        data: [{ name: t.area.name, children: children }]
      }]
    }, true);
    var list = document.getElementById("drill");
    list.textContent = "";
    t.children.forEach(function (c) {
      var li = el("li");
      var a = el("a", c.name);
      a.href = screenUrl(c.id);
      a.dataset.testid = "drill";
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function trends(p) {
    var s = p.trends.series;
    var left = [["requests.raised", L.raised], ["requests.resolved", L.resolved], ["visits.visits", L.visits], ["volunteering.participations", L.participations]];
    var right = [["volunteering.hours", L.hours], ["points.earned", L.earned]];
    var series = left.map(function (x) { return { name: x[1], type: "line", smooth: true, symbolSize: 6, data: s[x[0]] }; })
      .concat(right.map(function (x) { return { name: x[1], type: "bar", yAxisIndex: 1, barMaxWidth: 14, data: s[x[0]] }; }));
    chart("trends").setOption({
      color: COLORS, tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: TEXT },
      grid: { left: 56, right: 64, top: 44, bottom: 30 },
      xAxis: Object.assign({ type: "category", data: p.trends.months.map(function (m) { return m.slice(2); }) }, AXIS),
      yAxis: [Object.assign({ type: "value" }, AXIS), Object.assign({ type: "value" }, AXIS, { splitLine: { show: false } })],
      series: series
    }, true);
  }

  function categories(p) {
    var rows = p.categories.categories.slice(0, 10).reverse();
    chart("categories").setOption({
      color: COLORS, tooltip: { trigger: "axis" }, title: empty(rows),
      legend: { top: 0, textStyle: TEXT },
      grid: { left: 150, right: 30, top: 36, bottom: 24 },
      xAxis: Object.assign({ type: "value" }, AXIS),
      yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.name; }) }, AXIS),
      series: [
        { name: L.raised, type: "bar", data: rows.map(function (r) { return r.raised; }) },
        { name: L.resolved, type: "bar", data: rows.map(function (r) { return r.resolved; }) }
      ]
    }, true);
  }

  function gauge(name, value, center, color) {
    return {
      type: "gauge", center: center, radius: "30%", min: 0, max: 100, startAngle: 210, endAngle: -30,
      progress: { show: true, width: 12, itemStyle: { color: color } },
      axisLine: { lineStyle: { width: 12, color: [[1, "rgba(74,111,165,.35)"]] } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { offsetCenter: [0, "70%"], color: "#c7d7f2", fontSize: 17 },
      detail: { offsetCenter: [0, "0%"], color: "#fff", fontSize: 26, formatter: function (v) { return value === null ? "—" : v.toFixed(1) + "%"; } },
      data: [{ value: value === null ? 0 : +(value * 100).toFixed(1), name: name }]
    };
  }

  function rates(p) {
    var r = p.rates.rates;
    var ranked = p.rates.rankings.satisfaction.slice(0, 8).reverse();
    var title = L.satisfaction + " · " + L.ranking;
    chart("rates").setOption({
      color: COLORS, tooltip: { trigger: "item" },
      title: { text: title, top: "47%", left: 0, textStyle: { color: "#c7d7f2", fontSize: 17, fontWeight: "normal" } },
      grid: { left: 150, right: 60, top: "56%", bottom: 20 },
      xAxis: Object.assign({ type: "value", max: 100, name: "%" }, AXIS),
      yAxis: Object.assign({ type: "category", data: ranked.map(function (x) { return (x.rank ? x.rank + ". " : "") + x.name; }) }, AXIS),
      series: [
        gauge(L.response, r.response, ["17%", "24%"], COLORS[0]),
        gauge(L.resolve, r.resolve, ["50%", "24%"], COLORS[1]),
        gauge(L.satisfaction, r.satisfaction, ["83%", "24%"], COLORS[2]),
        { name: L.satisfaction, type: "bar", barMaxWidth: 16, label: { show: true, position: "right", color: "#fff", fontSize: 15, formatter: function (x) { return ranked[x.dataIndex].value === null ? "—" : x.value.toFixed(1) + "%"; } },
          data: ranked.map(function (x) { return x.value === null ? 0 : +(x.value * 100).toFixed(1); }) }
      ]
    }, true);
  }

  function facts(name, items) {
    var box = document.getElementById("facts-" + name);
    box.textContent = "";
    items.forEach(function (item) {
      var span = el("span", item[0]);
      span.appendChild(el("b", String(item[1])));
      box.appendChild(span);
    });
  }

  function care(p) {
    var c = p.care, rows = c.people.slice(0, 6);
    chart("care").setOption({
      color: COLORS, tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: TEXT },
      grid: { left: 50, right: 20, top: 34, bottom: 30 },
      xAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.name; }) }, AXIS, { axisLabel: { color: "#c7d7f2", fontSize: 15, interval: 0 } }),
      yAxis: Object.assign({ type: "value" }, AXIS),
      series: [
        { name: L.tagged, type: "bar", data: rows.map(function (r) { return r.tagged; }) },
        { name: L.covered, type: "bar", label: { show: true, position: "top", color: "#fff", fontSize: 14, formatter: function (x) { return pct(rows[x.dataIndex].coverage); } },
          data: rows.map(function (r) { return r.covered; }) }
      ]
    }, true);
    facts("care", [[L.visits, c.visits], [L.incidents, c.incidents]]);
  }

  function volunteering(p) {
    var v = p.volunteering;
    // Shares of participations; of sessions while none has been attended.
    var byPeople = v.participations > 0;
    chart("volunteering").setOption({
      color: COLORS, tooltip: { trigger: "item" }, title: empty(v.by_kind, "58%"),
      legend: { orient: "vertical", right: 0, top: "middle", textStyle: TEXT },
      series: [{ type: "pie", radius: ["38%", "70%"], center: ["32%", "50%"], minShowLabelAngle: 12, label: { color: "#fff", fontSize: 15, formatter: "{d}%" },
        data: v.by_kind.map(function (k) { return { name: k.name, value: byPeople ? k.participations : k.sessions }; }) }]
    }, true);
    facts("volunteering", [[L.sessions, v.sessions], [L.participants, v.participants], [L.hours, v.hours], [L.members, v.party.members]]);
  }

  function points(p) {
    var pt = p.points;
    chart("points").setOption({
      color: COLORS, tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: TEXT },
      grid: { left: 56, right: 64, top: 34, bottom: 26 },
      xAxis: Object.assign({ type: "category", data: pt.months.map(function (m) { return m.slice(5); }) }, AXIS),
      yAxis: [Object.assign({ type: "value" }, AXIS), Object.assign({ type: "value" }, AXIS, { splitLine: { show: false } })],
      series: [
        { name: L.earned, type: "bar", stack: "flow", data: pt.flow.earned },
        { name: L.redeemed, type: "bar", data: pt.flow.redeemed },
        { name: L.expired, type: "bar", data: pt.flow.expired },
        { name: L.outstanding, type: "line", yAxisIndex: 1, smooth: true, data: pt.flow.outstanding }
      ]
    }, true);
    facts("points", [[L.earned, pt.earned], [L.redeemed, pt.redeemed], [L.outstanding, pt.outstanding], [L.participants, pt.participants]]);
  }

  var DRAW = [kpis, tree, trends, categories, rates, care, volunteering, points];

  function load() {
    var url = root.dataset.url + "?month=" + encodeURIComponent(root.dataset.month);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        DRAW.forEach(function (draw) { draw(data.panels); });
        // The lists under the charts may have changed the room they have.
        Object.keys(charts).forEach(function (k) { charts[k].resize(); });
        document.getElementById("updated").textContent = data.updated;
        document.getElementById("load-error").hidden = true;
        root.dataset.drawn = "yes";
      })
      .catch(function () {
        var box = document.getElementById("load-error");
        box.textContent = L.error;
        box.hidden = false;
      });
  }

  window.addEventListener("resize", fit);
  fit();
  load();
  window.setInterval(load, (+root.dataset.refresh || 60) * 1000);
})();
