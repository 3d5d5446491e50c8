// Live counters beside checkbox lists. The server checks everything again; this only helps.
// Sentences come from the page (data-* attributes, translated there) with %(name)s placeholders.
(function () {
  "use strict";

  // Put a sentence into el, each %(name)s replaced by <strong>value</strong>, without innerHTML.
  function fill(el, sentence, values) {
    el.textContent = "";
    var parts = sentence.split(/%\((\w+)\)s/);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 0) {
        if (parts[i]) el.appendChild(document.createTextNode(parts[i]));
      } else {
        var strong = document.createElement("strong");
        strong.textContent = values[parts[i]];
        el.appendChild(strong);
      }
    }
  }

  // The resident's ballot: how many ticks are left, or by how many the maximum is exceeded.
  var ballot = document.getElementById("ballot");
  var left = document.getElementById("left");
  if (ballot && left) {
    var max = parseInt(left.dataset.max || "0", 10);
    var updateBallot = function () {
      var n = ballot.querySelectorAll('input[name="item"]:checked').length;
      if (!max) { fill(left, left.dataset.count, { n: n }); return; }
      var remaining = max - n;
      left.classList.toggle("over", remaining < 0);
      if (remaining >= 0) fill(left, left.dataset.left, { n: remaining });
      else fill(left, left.dataset.over, { n: -remaining });
    };
    ballot.addEventListener("change", updateBallot);
    ballot.addEventListener("submit", function (event) {
      if (!ballot.querySelector('input[name="item"]:checked')) {
        event.preventDefault();
        left.classList.add("over");
        fill(left, left.dataset.none, {});
      }
    });
    updateBallot();
  }
})();
