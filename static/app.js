// What the pages used to do with inline handlers (onsubmit=, onclick=, hx-on), done here instead
// so the Content-Security-Policy can forbid inline script. Each behaviour is asked for by a
// data-* attribute in the template; every page still works without JavaScript.
(function () {
  "use strict";

  // data-confirm on a form (or on the button that submits it): ask before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset && button.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print], [data-back]");
    if (!el) return;
    if (el.hasAttribute("data-print")) window.print();
    else window.history.back();
  });

  // data-autosubmit on a <select>: choosing an option sends its form (a button in <noscript>
  // does it without JavaScript).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit();
      else el.form.submit();
    }
    // data-count on a file input: how many files were picked (__N__) or their names (__NAME__),
    // in the element it names; the sentences come from the page (data-picked, data-none), so the
    // browser's English "Choose File / No file chosen" never shows.
    if (el.matches && el.matches("input[type=file][data-count]")) {
      var n = el.files ? el.files.length : 0;
      var target = document.getElementById(el.dataset.count);
      var names = Array.prototype.map.call(el.files || [], function (f) { return f.name; }).join("、");
      if (target) target.textContent = n ? el.dataset.picked.replace("__N__", n).replace("__NAME__", names) : el.dataset.none;
    }
  });

  // "Back" buttons (data-back) only where there is somewhere to go back to.
  function showBack() {
    if (window.history.length < 2) return;
    document.querySelectorAll("[data-back][hidden]").forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showBack);
  else showBack();

  // A member's vote (meetings/_voting.html, data-vote-fallback): a response for one item
  // (X-Vote-Item) is swapped in even when it is a refusal, so its message shows in place; any
  // other answer (the meeting moved on) reloads the meeting page.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var box = event.target.closest && event.target.closest("[data-vote-fallback]");
    if (!box) return;
    if (event.detail.xhr.getResponseHeader("X-Vote-Item")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else {
      event.detail.shouldSwap = false;
      window.location.href = box.dataset.voteFallback;
    }
  });
})();
