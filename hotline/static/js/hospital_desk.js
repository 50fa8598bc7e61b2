// The hospital desk's pre-alerts: the rows are fetched again every few seconds (rendered and
// escaped by the server), and a new incoming patient sounds a beep (Web Audio, no file).
// Browsers let a page make sound only after a click on it: the button (or any click) does.
(function () {
  "use strict";
  var table = document.getElementById("incoming");
  if (!table) { return; }
  var body = table.tBodies[0];
  var text = JSON.parse(table.dataset.text);
  var status = document.getElementById("desk-status");
  var soundButton = document.getElementById("desk-sound");
  var known = {};
  JSON.parse(table.dataset.ids).forEach(function (id) { known[id] = true; });
  var audio = null;
  var EVERY_MS = 5000;

  function enableSound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    if (!audio) { audio = new Context(); }
    audio.resume();
    soundButton.textContent = text.sound_on;
    soundButton.disabled = true;
  }

  // Three short tones: noticeable across a busy emergency room, not alarming.
  function beep() {
    if (!audio || audio.state !== "running") { return; }
    [0, 0.25, 0.5].forEach(function (offset) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      var start = audio.currentTime + offset;
      osc.start(start);
      osc.stop(start + 0.15);
    });
  }

  function refresh() {
    fetch(table.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var fresh = data.ids.filter(function (id) { return !known[id]; });
        known = {};
        data.ids.forEach(function (id) { known[id] = true; });
        body.innerHTML = data.html;  // server-rendered with every text escaped
        fresh.forEach(function (id) {
          var row = body.querySelector('tr[data-id="' + id + '"]');
          if (row) { row.classList.add("new"); }
        });
        if (fresh.length) { beep(); }
        status.textContent = text.updated + " " + new Date().toLocaleTimeString();
      })
      .catch(function () { status.textContent = text.offline; });
  }

  soundButton.addEventListener("click", enableSound);
  document.addEventListener("click", function once() {
    document.removeEventListener("click", once);
    enableSound();
  });
  setInterval(refresh, EVERY_MS);
}());
