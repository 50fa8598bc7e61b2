// The agent's phone bar: shows the phone's state, sends the agent's choices, and pops the
// caller up within half a second of the ring (the intake or 120 form gets the number and
// the call's reference). Text-only DOM work: no HTML from the server.
(function () {
  "use strict";
  var bar = document.getElementById("phone-bar");
  if (!bar) { return; }
  var url = bar.dataset.stateUrl;
  var texts = document.getElementById("phone-texts").dataset;
  var pop = document.getElementById("phone-pop");
  var error = document.getElementById("phone-error");
  var breakReason = document.getElementById("phone-break-reason");
  var shownCall = null;

  function el(id) { return document.getElementById(id); }
  function text(node, value) { node.textContent = value; return node; }

  function fillForm(call) {
    // The form on this page (intake or 120) takes the caller's number once per call.
    var form = document.getElementById("intake-form") || document.getElementById("ems-form");
    if (!form) { return; }
    var phone = form.querySelector("#caller_phone");
    // Empty, or still the number an earlier pop put there (the form was not saved): this
    // call's number. A number the operator typed stays.
    if (phone && (!phone.value || phone.value === phone.dataset.popped)) {
      phone.value = call.caller;
      phone.dataset.popped = call.caller;
      phone.dispatchEvent(new Event("input", { bubbles: true }));
      phone.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var ref = form.querySelector("input[name=call_ref]");
    if (!ref) {
      ref = document.createElement("input");
      ref.type = "hidden"; ref.name = "call_ref";
      form.appendChild(ref);
    }
    ref.value = String(call.id);
  }

  function showHistory(items) {
    var list = el("phone-history");
    list.replaceChildren();
    if (!items.length) { list.appendChild(text(document.createElement("li"), texts.none)); return; }
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = text(document.createElement("a"), item.number);
      link.href = item.url;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" " + item.category + " · " + item.state + (item.open ? " · " + texts.open : "")));
      list.appendChild(li);
    });
  }

  function render(state) {
    if (!state.phone) { bar.hidden = true; return; }
    bar.hidden = false;
    text(el("phone-extension"), state.extension);
    text(el("phone-state"), state.state_label + (state.break_reason ? " (" + state.break_reason + ")" : ""));
    text(el("phone-registered"), state.registered ? texts.registered : texts.unregistered);
    bar.dataset.state = state.state;
    var call = state.call;
    if (!call) { pop.hidden = true; shownCall = null; return; }
    pop.hidden = false;
    text(el("phone-pop-title"), call.ringing ? texts.ringing : texts.talking);
    text(el("phone-caller"), call.caller);
    el("phone-flag").hidden = !call.flagged;
    el("phone-new-order").href = call.intake_url;
    if (shownCall !== call.id) {
      shownCall = call.id;
      showHistory(call.history);
      fillForm(call);
      // For the screen-pop measurement: when this call's number reached the page.
      window.phonePoppedAt = { call: call.id, at: Date.now() };
    }
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { render(state); } })
      .catch(function () { /* the next turn asks again */ });
  }

  function choose(wanted, reason) {
    var body = new URLSearchParams({ state: wanted, reason: reason || "", csrf_token: bar.dataset.csrf });
    fetch(url, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (answer) {
        text(error, answer.ok ? "" : (answer.data.description || answer.data.error || ""));
        if (answer.ok) { render(answer.data); }
      });
  }

  bar.querySelectorAll("button[data-state]").forEach(function (button) {
    button.addEventListener("click", function () { choose(button.dataset.state); });
  });
  breakReason.addEventListener("change", function () {
    if (breakReason.value) { choose("break", breakReason.value); breakReason.value = ""; }
  });
  // Click to call: the server gives a one-use SIP address; the softphone (the system's
  // handler of sip: links) dials it, and Kamailio calls the citizen.
  document.querySelectorAll("button[data-dial-order], button[data-dial-call]").forEach(function (button) {
    button.addEventListener("click", function () {
      var status = button.parentNode.querySelector(".dial-status");
      var missed = button.dataset.dialCall;
      var body = new URLSearchParams(missed ? { call: missed } : { order: button.dataset.dialOrder });
      body.set("csrf_token", bar.dataset.csrf);
      fetch(missed ? bar.dataset.returnUrl : bar.dataset.dialUrl, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (answer) {
          if (!answer.ok) { text(status, answer.data.description || answer.data.error || ""); return; }
          text(status, texts.dialling + " " + answer.data.number);
          status.dataset.uri = answer.data.uri;
          window.location.href = answer.data.uri;
        });
    });
  });
  poll();
  setInterval(poll, 500);
})();
