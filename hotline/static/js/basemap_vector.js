// The maps' vector base layer: tiles of the OpenMapTiles schema (what tilemaker's
// OpenMapTiles config writes) fetched from this server's /tiles/{z}/{x}/{y} and drawn by
// the vendored protomaps-leaflet on canvas tiles, under the district polygons and the
// markers (Leaflet's tile pane). A muted style, so that orders and districts stay readable;
// labels in Chinese (name:zh, then name) in the browser's own fonts: no glyphs, sprites or
// anything else from another server.
(function () {
  "use strict";
  var map = window.hotlineMap;
  var holder = document.getElementById("hotline-basemap");
  if (!map || !holder || !window.protomapsL) { return; }
  var options = JSON.parse(holder.textContent);
  var P = window.protomapsL;
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", ' +
    '"WenQuanYi Micro Hei", sans-serif';
  var LABEL = ["name:zh", "name"];  // deploy/basemap/process-openmaptiles.lua writes both

  function cls(values) {
    return function (z, f) { return values.indexOf(f.props["class"]) >= 0; };
  }
  function by(zooms) {  // a width that grows with the zoom: [[zoom, width], ...]
    return function (z) {
      var w = zooms[0][1];
      zooms.forEach(function (s) { if (z >= s[0]) { w = s[1]; } });
      return w;
    };
  }

  var MAJOR = ["motorway", "trunk", "primary"];
  var MID = ["secondary", "tertiary"];
  var MINOR = ["minor", "service", "track", "unclassified", "residential"];
  var paintRules = [
    { dataLayer: "landcover", filter: cls(["grass", "wood", "farmland", "wetland"]),
      symbolizer: new P.PolygonSymbolizer({ fill: "#e3ecd9" }) },
    { dataLayer: "landuse", filter: cls(["residential", "commercial", "retail", "industrial"]),
      symbolizer: new P.PolygonSymbolizer({ fill: "#efece6" }) },
    { dataLayer: "landuse", filter: cls(["school", "university", "college", "hospital",
      "kindergarten", "stadium", "pitch", "playground"]),
      symbolizer: new P.PolygonSymbolizer({ fill: "#ebe6ef" }) },
    { dataLayer: "park", symbolizer: new P.PolygonSymbolizer({ fill: "#dde9d3" }) },
    { dataLayer: "water", symbolizer: new P.PolygonSymbolizer({ fill: "#cfdde8" }) },
    { dataLayer: "waterway", symbolizer: new P.LineSymbolizer({ color: "#cfdde8", width: 1.5 }) },
    { dataLayer: "building", minzoom: 14,
      symbolizer: new P.PolygonSymbolizer({ fill: "#e4dfd8", stroke: "#d6d0c8", width: 0.5 }) },
    { dataLayer: "transportation", filter: cls(["path"]), minzoom: 15,
      symbolizer: new P.LineSymbolizer({ color: "#ffffff", width: 1, dash: [2, 2] }) },
    { dataLayer: "transportation", filter: cls(["rail", "transit"]),
      symbolizer: new P.LineSymbolizer({ color: "#c9c4bd", width: 1 }) },
    // Casing (a slightly darker edge) under the road's fill, then the fill.
    { dataLayer: "transportation", filter: cls(MINOR),
      symbolizer: new P.LineSymbolizer({ color: "#d8d3cb", width: by([[12, 1], [14, 4], [16, 9]]) }) },
    { dataLayer: "transportation", filter: cls(MINOR),
      symbolizer: new P.LineSymbolizer({ color: "#ffffff", width: by([[12, 0.5], [14, 3], [16, 7]]) }) },
    { dataLayer: "transportation", filter: cls(MID.concat(MAJOR)),
      symbolizer: new P.LineSymbolizer({ color: "#d2c9b8", width: by([[8, 1.5], [12, 3], [14, 6], [16, 12]]) }) },
    { dataLayer: "transportation", filter: cls(MID),
      symbolizer: new P.LineSymbolizer({ color: "#ffffff", width: by([[8, 1], [12, 2], [14, 4.5], [16, 10]]) }) },
    { dataLayer: "transportation", filter: cls(MAJOR),
      symbolizer: new P.LineSymbolizer({ color: "#f6ead2", width: by([[8, 1], [12, 2], [14, 4.5], [16, 10]]) }) },
    { dataLayer: "boundary", symbolizer: new P.LineSymbolizer({ color: "#c3bdd0", width: 1, dash: [4, 3] }) },
  ];
  var labelRules = [
    { dataLayer: "place", symbolizer: new P.CenteredTextSymbolizer({ labelProps: LABEL,
      fontFamily: FONT, fontSize: by([[8, 12], [12, 14]]), fill: "#5a5550", stroke: "#ffffff", width: 2 }) },
    { dataLayer: "transportation_name", minzoom: 13, symbolizer: new P.LineLabelSymbolizer({
      labelProps: LABEL, fontFamily: FONT, fontSize: 12, fill: "#6b655e", stroke: "#ffffff", width: 2 }) },
    { dataLayer: "water_name", symbolizer: new P.CenteredTextSymbolizer({ labelProps: LABEL,
      fontFamily: FONT, fontSize: 12, fill: "#6d8799", stroke: "#ffffff", width: 2 }) },
    { dataLayer: "landcover", minzoom: 14, symbolizer: new P.CenteredTextSymbolizer({ labelProps: LABEL,
      fontFamily: FONT, fontSize: 12, fill: "#6a8a5c", stroke: "#ffffff", width: 2 }) },
    { dataLayer: "park", minzoom: 13, symbolizer: new P.CenteredTextSymbolizer({ labelProps: LABEL,
      fontFamily: FONT, fontSize: 12, fill: "#6a8a5c", stroke: "#ffffff", width: 2 }) },
  ];

  P.leafletLayer({
    url: options.url,
    maxDataZoom: options.maxDataZoom,
    attribution: options.attribution,
    backgroundColor: "#f5f3ef",
    paintRules: paintRules,
    labelRules: labelRules,
  }).addTo(map);
})();
