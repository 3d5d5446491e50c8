// The language switch (web/language.py) reloads the same page in the other language. Before it
// goes, what was typed in the page's forms is kept in sessionStorage; after, it is put back.
(function () {
  "use strict";
  var PREFIX = "yishi-lang-form:";
  function key() { return PREFIX + location.pathname + location.search; }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "_csrf_token" && el.type !== "hidden" && el.type !== "password"
        && el.type !== "file" && el.type !== "submit" && el.type !== "button";
    });
  }
  document.addEventListener("submit", function (event) {
    var switcher = event.target;
    if (!switcher.classList || !switcher.classList.contains("lang-switch")) return;
    switcher.elements.namedItem("back").value = location.pathname + location.search;
    var saved = [];
    document.querySelectorAll("main form").forEach(function (form, f) {
      fields(form).forEach(function (el, i) {
        if (el.type === "checkbox" || el.type === "radio") saved.push([f, i, el.name, el.checked]);
        else if (el.multiple) saved.push([f, i, el.name, Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; })]);
        else saved.push([f, i, el.name, el.value]);
      });
    });
    try { sessionStorage.setItem(key(), JSON.stringify(saved)); } catch (e) { /* private mode: nothing kept */ }
  });
  function restore() {
    var raw;
    try { raw = sessionStorage.getItem(key()); sessionStorage.removeItem(key()); } catch (e) { return; }
    if (!raw) return;
    var forms = document.querySelectorAll("main form");
    JSON.parse(raw).forEach(function (entry) {
      var form = forms[entry[0]];
      if (!form) return;
      var el = fields(form)[entry[1]];
      if (!el || el.name !== entry[2]) return;  // the page changed meanwhile: leave it as served
      if (el.type === "checkbox" || el.type === "radio") el.checked = entry[3];
      else if (el.multiple) Array.prototype.forEach.call(el.options, function (o) { o.selected = entry[3].indexOf(o.value) >= 0; });
      else el.value = entry[3];
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
