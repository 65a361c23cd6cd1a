/* Draw every chart on the page from the JSON its template embedded with json_script.
   Each chart is a <div class="js-chart" data-figure="ID"> next to <script id="ID"
   type="application/json">; the same data is always in a table beside it. Runs on load, after
   every htmx swap (so swapped-in results draw too) and when the window changes width (so a
   phone turned sideways gets a layout for its new width). No inline scripts anywhere. */
(function () {
  "use strict";

  var NARROW = 480; // px: below this, a phone

  var SHORT = 20; // characters: the longest bar label on a phone

  // "<b>Nottingham and Nottinghamshire ICB</b>" -> "<b>Nottingham and Nott…</b>"
  function shorten(label) {
    var text = String(label).replace(/<[^>]+>/g, "");
    if (text.length <= SHORT) { return label; }
    var short = text.slice(0, SHORT - 1).trim() + "\u2026";
    return /^<b>/.test(label) ? "<b>" + short + "</b>" : short;
  }

  // On a phone the legend wraps onto several lines and category labels turn vertical: give
  // the plot the height they take, or plotly squeezes the bars and clips the labels. Long
  // labels beside horizontal bars are shortened, or they leave no room for the bars; the
  // full names are in the table under the chart and in each bar's hover text.
  function layoutFor(element, layout) {
    if (element.clientWidth >= NARROW) { return layout; }
    var adapted = Object.assign({}, layout, {
      height: (layout.height || 450) + 160,
      legend: Object.assign({}, layout.legend, { font: { size: 12 } })
    });
    // A long title would be cut off; the section heading and caption already name the chart.
    if (layout.title) {
      adapted.title = Object.assign({}, typeof layout.title === "string" ? {} : layout.title,
        { text: "" });
    }
    var categories = (layout.yaxis || {}).categoryarray;
    if (categories && categories.length) {
      adapted.yaxis = Object.assign({}, layout.yaxis, {
        tickmode: "array", tickvals: categories, ticktext: categories.map(shorten)
      });
    }
    return adapted;
  }

  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll(".js-chart[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      // Never offer plotly's "Share chart" button: it uploads the data to Plotly's cloud.
      var config = Object.assign(
        { responsive: true, displaylogo: false }, figure.config || {}, { showSendToCloud: false }
      );
      var width = element.clientWidth;
      var layout = layoutFor(element, figure.layout || {});
      Plotly.react(element, figure.data || [], layout, config).then(function () {
        // The figure's caption and data table say what the drawing shows; its loose SVG
        // text (ticks, labels) would only be noise to a screen reader. The toolbar buttons,
        // which are not in these layers, stay reachable.
        element.querySelectorAll("svg.main-svg").forEach(function (layer) {
          layer.setAttribute("aria-hidden", "true");
        });
        element.setAttribute("data-drawn", "true");
        element.setAttribute("data-drawn-width", String(width));
      });
    });
  }

  var resizing = null;
  function redrawAfterResize() {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      document.querySelectorAll(".js-chart[data-drawn]").forEach(function (element) {
        if (element.getAttribute("data-drawn-width") !== String(element.clientWidth)) {
          draw(element.parentNode);
        }
      });
    }, 150);
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  window.addEventListener("resize", redrawAfterResize);
})();
