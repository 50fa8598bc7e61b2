// 并单 on the intake form: when the category, the point or the description change, ask
// for open or recent orders probably about the same matter and list them with their
// distance. No inline script (CSP): this file only reads data- attributes.
(function () {
  "use strict";
  var box = document.getElementById("similar-orders");
  var form = document.getElementById("intake-form");
  if (!box || !form) { return; }
  var list = document.getElementById("similar-list");
  var fields = ["category_code", "lon", "lat", "description"].map(function (id) {
    return document.getElementById(id);
  });
  var timer = null;
  var asked = 0;

  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = item.number;
      li.appendChild(a);
      var metres = box.dataset.metres.replace("%s", String(Math.round(item.distance_m)));
      li.appendChild(document.createTextNode(
        " · " + metres + " · " + item.score.toFixed(2) + " · " + item.description));
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function ask() {
    var params = new URLSearchParams();
    fields.forEach(function (el) { if (el) { params.set(el.name || el.id, el.value); } });
    if (!params.get("category_code") || !params.get("lon") || !params.get("lat")) {
      show([]);
      return;
    }
    var mine = ++asked;
    fetch(box.dataset.url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (mine === asked) { show(data.items || []); } })
      .catch(function () { /* candidates are a hint: the form works without them */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  }

  fields.forEach(function (el) {
    if (el) {
      el.addEventListener("change", later);
      el.addEventListener("input", later);
    }
  });
  form.addEventListener("hotline:point", later);
})();
