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

  function yuan(fen) {
    var s = (fen / 100).toFixed(2).split(".");
    return s[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + s[1];
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

  // The council's decision: the cost of the items ticked so far, against the round's budget.
  var decision = document.getElementById("decision-form");
  var sum = document.getElementById("decision-sum");
  if (decision && sum) {
    var budget = parseInt(sum.dataset.budget || "0", 10);
    var updateDecision = function () {
      var boxes = decision.querySelectorAll('input[name="approved"]:checked');
      var total = 0;
      for (var i = 0; i < boxes.length; i++) total += parseInt(boxes[i].dataset.cost || "0", 10);
      var over = budget > 0 && total > budget;
      sum.classList.toggle("over", over);
      fill(sum, over ? sum.dataset.over : sum.dataset.within,
           { n: boxes.length, total: yuan(total), budget: yuan(budget), diff: yuan(Math.abs(budget - total)) });
    };
    decision.addEventListener("change", updateDecision);
    decision.addEventListener("submit", function (event) {
      if (!decision.querySelector('input[name="approved"]:checked')) {
        event.preventDefault();
        sum.classList.add("over");
        fill(sum, sum.dataset.none, {});
        sum.scrollIntoView({ block: "center" });
      } else if (!window.confirm(decision.dataset.confirm)) {
        event.preventDefault();
      }
    });
    updateDecision();
  }
})();
