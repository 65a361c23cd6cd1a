/* Draw every chart on the page from the JSON its template embedded with json_script.
   Each chart is a <div class="js-chart" data-figure="ID"> next to <script id="ID"
   type="application/json">; the same data is always in a table beside it. Runs on load and
   after every htmx swap, so swapped-in results draw too. No inline scripts anywhere. */
(function () {
  "use strict";

  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll(".js-chart[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
      Plotly.react(element, figure.data || [], figure.layout || {}, config);
      element.setAttribute("data-drawn", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
