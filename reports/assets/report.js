// mfconform report: state and text filters, and print expansion. No
// network, no dependencies; the page reads fine without it.
(function () {
  "use strict";
  var filters = document.getElementById("filters");
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-filter-state]"));
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-state]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".specs details.group"));

  // What the text filter searches: ID, title, labels and codes.
  cards.forEach(function (c) {
    var id = c.querySelector(".id"), title = c.querySelector(".title");
    c._hay = [c.id.replace(/^spec-/, ""), id ? id.textContent : "", title ? title.textContent : "",
      c.getAttribute("data-labels"), c.getAttribute("data-codes")].join(" ").toLowerCase();
  });

  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute("data-filter-state")] = b.checked; });
    var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (c) {
      var ok = on[c.getAttribute("data-state")] !== false &&
        terms.every(function (t) { return c._hay.indexOf(t) >= 0; });
      c.hidden = !ok;
      if (ok) { shown++; }
    });
    if (terms.length) { groups.forEach(function (g) { g.open = true; }); }
    status.textContent = shown === cards.length ? "" : "showing " + shown + " of " + cards.length + " specs";
  }

  filters.hidden = false;
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  apply();

  // Printing expands every <details>; closing them again afterwards.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
