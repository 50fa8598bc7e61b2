// Track playback: each vehicle's line, its status changes marked where it was then, and a
// marker the time slider (or play, at the chosen speed) moves along it. Text is only ever set
// with textContent (tooltips get DOM nodes, never HTML strings).
(function () {
  "use strict";
  var map = window.hotlineMap;
  var box = document.getElementById("playback");
  if (!map || !box || !box.dataset.url) { return; }
  var text = JSON.parse(box.dataset.text);
  var slider = document.getElementById("playback-slider");
  var toggle = document.getElementById("playback-toggle");
  var speed = document.getElementById("playback-speed");
  var clock = document.getElementById("playback-clock");
  var status = document.getElementById("playback-status");
  var colours = ["#c53030", "#2b6cb0", "#2f855a", "#805ad5", "#dd6b20", "#d53f8c", "#319795"];
  var format = new Intl.DateTimeFormat("zh-CN", {
    timeZone: box.dataset.timezone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });
  var layer = L.layerGroup().addTo(map);
  var vehicles = [];
  var timer = null;
  var TICK_MS = 100;

  function node(content, className) {
    var span = document.createElement("span");
    span.textContent = content;
    if (className) { span.className = className; }
    return span;
  }

  // The position at time t: between the two fixes around it, in proportion to the time.
  function positionAt(points, t) {
    if (!points.length) { return null; }
    if (t <= points[0][0]) { return [points[0][2], points[0][1]]; }
    var last = points[points.length - 1];
    if (t >= last[0]) { return [last[2], last[1]]; }
    var lo = 0, hi = points.length - 1;
    while (hi - lo > 1) {
      var mid = (lo + hi) >> 1;
      if (points[mid][0] <= t) { lo = mid; } else { hi = mid; }
    }
    var a = points[lo], b = points[hi];
    var f = b[0] === a[0] ? 0 : (t - a[0]) / (b[0] - a[0]);
    return [a[2] + (b[2] - a[2]) * f, a[1] + (b[1] - a[1]) * f];
  }

  function show(t) {
    clock.textContent = format.format(new Date(t));
    vehicles.forEach(function (v) {
      var at = positionAt(v.points, t);
      if (at) { v.marker.setLatLng(at); }
    });
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    toggle.textContent = text.play;
  }

  function play() {
    if (Number(slider.value) >= Number(slider.max)) { slider.value = slider.min; }
    toggle.textContent = text.pause;
    timer = setInterval(function () {
      var next = Number(slider.value) + TICK_MS * Number(speed.value);
      if (next >= Number(slider.max)) { next = Number(slider.max); stop(); }
      slider.value = next;
      show(next);
    }, TICK_MS);
  }

  function draw(data) {
    var bounds = L.latLngBounds([]);
    data.vehicles.forEach(function (v, i) {
      var colour = colours[i % colours.length];
      var line = v.points.map(function (p) { return [p[2], p[1]]; });
      line.forEach(function (ll) { bounds.extend(ll); });
      if (line.length) { L.polyline(line, { color: colour, weight: 3, opacity: 0.8 }).addTo(layer); }
      v.marks.forEach(function (m) {
        if (m.lat === null) { return; }
        L.circleMarker([m.lat, m.lon], { radius: 5, color: colour, fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(node(format.format(new Date(m.t)).slice(11) + " " + m.label), { direction: "right" })
          .addTo(layer);
      });
      var marker = L.circleMarker(line[0] || map.getCenter(), {
        radius: 8, color: "#1a202c", weight: 2, fillColor: colour, fillOpacity: 1
      }).bindTooltip(node(v.call_sign), { permanent: true, direction: "top" }).addTo(layer);
      vehicles.push({ points: v.points, marker: marker });
    });
    if (bounds.isValid()) {
      var fit = function () { map.fitBounds(bounds.pad(0.2), { animate: false, maxZoom: 16 }); };
      // Leaflet ignores a new view while the page's first zoom is still animating.
      if (map._animatingZoom) { map.once("zoomend", fit); } else { fit(); }
    }
    status.textContent = vehicles.some(function (v) { return v.points.length; }) ? "" : text.empty;
    slider.min = data.start;
    slider.max = data.end;
    slider.value = data.start;
    slider.disabled = toggle.disabled = false;
    show(data.start);
  }

  slider.addEventListener("input", function () { show(Number(slider.value)); });
  toggle.addEventListener("click", function () { if (timer) { stop(); } else { play(); } });
  status.textContent = text.loading;
  fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function (e) { status.textContent = String(e); });
}());
