// Intake form: knowledge-base suggestions as the operator types the description (debounced,
// 250 ms, the top five). A click on a title shows the article's answer (HTML the server
// sanitised with an allow-list); "Use this answer" puts its plain text into the answer
// field, ticks close-at-intake for an inquiry and keeps the article's id in a hidden field,
// so that saving the order records the article as used. The last query is kept too: an
// inquiry saved without any article used is counted as a knowledge gap.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form || !form.dataset.kbSuggestUrl) { return; }
  var description = document.getElementById("description");
  var box = document.getElementById("kb-suggestions");
  var list = document.getElementById("kb-suggestion-list");
  var preview = document.getElementById("kb-preview");
  var previewTitle = document.getElementById("kb-preview-title");
  var previewAnswer = document.getElementById("kb-preview-answer");
  var previewLink = document.getElementById("kb-preview-link");
  var useButton = document.getElementById("kb-use");
  var articleField = document.getElementById("kb_article_id");
  var queryField = document.getElementById("kb_query");
  var used = document.getElementById("kb-used");
  var usedTitle = document.getElementById("kb-used-title");
  var answerField = form.querySelector("[name=intake_answer]");
  var close = document.getElementById("close_at_intake");
  var type = document.getElementById("order_type");
  var timer = null;
  var shown = null;  // the article in the preview
  var lastQuery = "";
  var json = { credentials: "same-origin", headers: { Accept: "application/json" } };

  function answerUrl(id) { return form.dataset.kbAnswerUrl.replace(/\/0\/answer$/, "/" + id + "/answer"); }

  function show(id) {
    fetch(answerUrl(id), json)
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (article) {
        shown = article;
        previewTitle.textContent = article.title;
        // Sanitised on the server (nh3 allow-list: no script, no handlers, no style).
        previewAnswer.innerHTML = article.html;
        previewLink.href = article.url;
        preview.hidden = false;
      })
      .catch(function () { preview.hidden = true; });
  }

  function use() {
    if (!shown) { return; }
    answerField.value = shown.text;
    articleField.value = String(shown.id);
    usedTitle.textContent = shown.title;
    used.hidden = false;
    if (type.value === "inquiry" && !close.checked) {
      close.checked = true;
      close.dispatchEvent(new Event("change"));
    }
  }

  function render(items) {
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link kb-suggestion";
      button.dataset.id = String(item.id);
      button.textContent = item.title;
      button.addEventListener("click", function () { show(item.id); });
      li.appendChild(button);
      var hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = " " + item.category;
      li.appendChild(hint);
      var snippet = document.createElement("div");
      snippet.className = "snippet";
      snippet.textContent = item.snippet;
      li.appendChild(snippet);
      list.appendChild(li);
    });
    box.hidden = items.length === 0 && !articleField.value;
  }

  function suggest() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = description.value.trim().slice(0, 200);
      if (q.length < 2 || q === lastQuery) { return; }
      lastQuery = q;
      queryField.value = q;
      fetch(form.dataset.kbSuggestUrl + "?" + new URLSearchParams({ q: q }).toString(), json)
        .then(function (r) { return r.json(); })
        .then(function (data) { if (q === lastQuery) { render(data.items || []); } })
        .catch(function () { /* only a help */ });
    }, 250);
  }

  description.addEventListener("input", suggest);
  useButton.addEventListener("click", use);
  answerField.addEventListener("input", function () {
    // An answer cleared is no longer the article's (edits to it still are).
    if (answerField.value.trim() === "") {
      articleField.value = "";
      used.hidden = true;
    }
  });
  if (description.value.trim()) { suggest(); }
}());
