// The hotspots page's map: each open or recent hotspot as a circle of its radius on the
// offline district map (window.hotlineMap), with its category and count as plain text.
(function () {
  "use strict";
  var map = window.hotlineMap;
  var holder = document.getElementById("hotspot-map-data");
  if (!map || !holder || !window.L) { return; }
  fetch(holder.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : { features: [] }; })
    .then(function (data) {
      data.features.forEach(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        var circle = L.circle([c[1], c[0]], {
          radius: p.radius_m,
          color: p.state === "open" ? "#c0392b" : "#7f8c8d",
          weight: 2,
          fillOpacity: 0.3,
        }).addTo(map);
        // A DOM node with textContent: names never become markup.
        var label = document.createElement("span");
        label.textContent = p.label;
        circle.bindTooltip(label);
        circle.on("click", function () {
          var row = document.getElementById("hotspot-" + p.id);
          if (row) { row.scrollIntoView({ block: "center" }); }
        });
      });
    });
})();
