// The wallboard: reads /wallboard/data every few seconds and redraws in place, without
// reloading. Charts are plain SVG; text is only ever set with textContent.
(function () {
  "use strict";
  var root = document.getElementById("wallboard");
  if (!root) { return; }
  var text = JSON.parse(root.dataset.text);
  var every = (parseInt(root.dataset.refresh, 10) || 5) * 1000;
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function svg(tag, attrs, content) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v === undefined || v === null ? v : v[k]; }, data);
  }

  // Today's hours as bars, last week's same weekday as a line, on one scale.
  function chart(node, hours, today, before, nowHour) {
    var W = 900, H = 300, left = 44, bottom = 26, top = 18;
    var values = today.concat(before).filter(function (v) { return v !== null; });
    var max = Math.max.apply(null, values.concat([1]));
    var step = Math.pow(10, Math.floor(Math.log10(max)));
    var scaleMax = Math.ceil(max / step) * step;
    var slot = (W - left) / hours.length;
    var y = function (v) { return H - bottom - (v / scaleMax) * (H - bottom - top); };
    while (node.firstChild) { node.removeChild(node.firstChild); }
    [0, 0.5, 1].forEach(function (f) {
      var v = Math.round(scaleMax * f);
      node.appendChild(svg("line", { x1: left, x2: W, y1: y(v), y2: y(v), "class": "grid" }));
      node.appendChild(svg("text", { x: 2, y: y(v) + 5, "class": "axis" }, String(v)));
    });
    hours.forEach(function (label, h) {
      if (h % 2 === 0) {
        node.appendChild(svg("text", { x: left + h * slot + 2, y: H - 6, "class": "axis" }, label));
      }
      var v = today[h];
      if (v === null || v === undefined) { return; }
      node.appendChild(svg("rect", {
        x: left + h * slot + slot * 0.15, width: slot * 0.7, y: y(v), height: Math.max(0, H - bottom - y(v)),
        "class": h === nowHour ? "bar now" : "bar"
      }));
      if (v > 0) {
        node.appendChild(svg("text", { x: left + h * slot + slot / 2, y: y(v) - 4, "class": "value" }, String(v)));
      }
    });
    var points = before.map(function (v, h) { return (left + h * slot + slot / 2) + "," + y(v || 0); });
    node.appendChild(svg("polyline", { points: points.join(" "), "class": "before" }));
  }

  function bars(list, rows, nameOf) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!rows.length) { list.appendChild(el("li", "wb-empty", text.nothing)); return; }
    var max = Math.max.apply(null, rows.map(function (r) { return r.count; }).concat([1]));
    rows.forEach(function (r) {
      var item = el("li");
      item.appendChild(el("span", "name", nameOf(r)));
      var track = el("span", "track");
      var fill = el("span", "fill");
      fill.style.width = (100 * r.count / max) + "%";
      track.appendChild(fill);
      item.appendChild(track);
      item.appendChild(el("span", "count", String(r.count)));
      list.appendChild(item);
    });
  }

  function draw(data) {
    document.querySelectorAll("[data-figure]").forEach(function (node) {
      var v = pick(data, node.dataset.figure);
      node.textContent = v === undefined || v === null ? "—" : String(v);
    });
    document.getElementById("wb-as-of").textContent = data.as_of;
    document.getElementById("wb-day").textContent = data.day;
    document.getElementById("wb-clock").textContent = data.clock;
    chart(document.getElementById("wb-chart-calls"), data.hours, data.calls.today, data.calls.last_week, data.now_hour);
    chart(document.getElementById("wb-chart-orders"), data.hours, data.orders.today, data.orders.last_week, data.now_hour);
    bars(document.getElementById("wb-states"), data.states, function (r) { return r.label; });
    bars(document.getElementById("wb-categories"), data.categories, function (r) { return r.name; });
    bars(document.getElementById("wb-districts"), data.districts, function (r) { return r.name; });
    document.getElementById("wb-hotspots-off").hidden = data.hotspots.items.length > 0;
    spots(data.hotspots.items);
    var phone = data.telephony;
    document.getElementById("wb-telephony-off").hidden = phone.enabled;
    document.getElementById("wb-telephony").hidden = !phone.enabled;
    if (phone.enabled) {
      // Every state has its row (zeros too), so the bars keep their places.
      bars(document.getElementById("wb-agents"), phone.agents, function (r) { return r.label; });
    }
    root.dataset.updated = data.as_of;
  }

  var stale = document.getElementById("wb-stale");
  function refresh() {
    fetch(root.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || !json) { throw new Error("not the figures"); }
        return response.json();
      })
      .then(function (data) { draw(data); stale.hidden = true; })
      .catch(function () { stale.textContent = text.stale; stale.hidden = false; })
      .then(function () { window.setTimeout(refresh, every); });
  }
  refresh();

  // The small map: the district outlines (no tiles) and the open hotspots as red circles.
  var map = null;
  var spotLayer = null;
  function spots(items) {
    if (!map) { return; }
    if (spotLayer) { spotLayer.remove(); }
    spotLayer = L.layerGroup(items.map(function (h) {
      var circle = L.circle([h.lat, h.lon], { radius: Math.max(h.radius_m, 800), color: "#ff5a4f", weight: 2, fillOpacity: 0.5 });
      var label = document.createElement("span");
      label.textContent = h.label;  // text, never markup
      return circle.bindTooltip(label, { permanent: items.length <= 5 });
    })).addTo(map);
  }
  if (window.L) {
    map = L.map("wb-map", { zoomControl: false, attributionControl: false, dragging: false,
      scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false });
    fetch(root.dataset.districts, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var layer = L.geoJSON(geojson, { style: { color: "#4a6f91", weight: 1, fillColor: "#1f3b57", fillOpacity: 0.6 } }).addTo(map);
        map.fitBounds(layer.getBounds());
      })
      .catch(function () { /* the map stays empty; the figures do not depend on it */ });
  }
}());
