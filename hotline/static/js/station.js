// 站点提醒: polls the station's jobs every 3 s; a new job beeps (Web Audio, after the first
// touch on "sound on") and flashes its row.
(function () {
  "use strict";
  var root = document.getElementById("station");
  if (!root) return;
  var TEXT = JSON.parse(root.dataset.text);
  var body = document.getElementById("station-jobs");
  var newest = null, audio = null;

  function beep() {
    if (!audio || audio.state !== "running") return;
    [0, 0.4].forEach(function (offset) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 988;
      gain.gain.value = 0.3;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(audio.currentTime + offset); osc.stop(audio.currentTime + offset + 0.25);
    });
  }
  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value;
    row.appendChild(td);
    return td;
  }
  function render(data) {
    var fresh = newest !== null && data.newest > newest;
    body.textContent = "";
    data.jobs.forEach(function (job) {
      var row = document.createElement("tr");
      row.dataset.job = job.job_id;
      if (fresh && job.job_id > newest) row.className = "new";
      cell(row, job.dispatched_at);
      cell(row, job.call_sign);
      cell(row, job.incident_number);
      cell(row, job.triage_level);
      cell(row, job.address);
      cell(row, job.complaint).className = "text";
      cell(row, job.cleared ? TEXT.cleared : job.acknowledged ? TEXT.acknowledged : TEXT.waiting);
      var link = document.createElement("a");
      link.href = job.slip_url;
      link.target = "_blank";
      link.textContent = TEXT.slip;
      cell(row, "").appendChild(link);
      body.appendChild(row);
    });
    if (fresh) beep();
    newest = data.newest;
  }
  function poll() {
    fetch(root.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        document.getElementById("station-status").textContent = new Date().toLocaleTimeString();
        render(data);
      })
      .catch(function () { document.getElementById("station-status").textContent = "…"; })
      .then(function () { setTimeout(poll, 3000); });
  }
  document.getElementById("sound-on").addEventListener("click", function (event) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
    if (audio) audio.resume();
    event.target.hidden = true;
  });
  poll();
})();
